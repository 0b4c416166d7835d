import type { Command } from 'commander';
import { durationMs } from '../options/duration.js';
import { positiveInteger } from '../options/integers.js';
import { collectMeta } from '../options/run-meta.js';
import { shardSpec } from '../options/shard.js';
import type { RunOptions } from '../run/config-options.js';
import type { RunOutcome } from '../run/run-suite.js';

/** The options `dtf run` takes, which `dtf ci` takes too. */
export function withRunOptions(command: Command): Command {
  return command
    .argument(
      '[suite]',
      'suite JSON file ({ "name", "tasks": [task specs], "matrix": { models, targets } }) or config file; default: the dtf.config.* of this directory',
    )
    .option('--config <file>', 'the config file to run (default: dtf.config.* in this directory)')
    .option(
      '--shard <i/n>',
      "run part i of n of the config's test files, split by their last durations (one CI job each; join the reports with dtf merge-reports)",
      shardSpec,
    )
    .option('--out <dir>', 'directory for the reports the reporters write (default: reports)')
    .option(
      '--reporter <name>',
      "how to report the run (repeatable): list, json, junit, markdown, html, or a module's path (default: the suite's reporters, else list, json and junit)",
      (name: string, previous: string[] | undefined) => [...(previous ?? []), name],
    )
    .option(
      '--slots <n>',
      'task slots of each embedded Node worker (default: CPU count)',
      positiveInteger,
    )
    .option(
      '--timeout <duration>',
      'give up waiting for the tasks after this long (500ms, 90s, 10m, 1h; bare numbers are seconds): cancel what has not ended, report, exit 1',
      durationMs,
    )
    .option(
      '--meta <key=value>',
      'describe the run in the results store (repeatable); commit, branch and build default to what the CI system or git says',
      collectMeta,
    )
    .option(
      '--data-dir <dir>',
      'without --coordinator: keep the database of the coordinator dtf run starts, and so the results of every run, in this dir (default: a temp dir, removed at exit)',
    );
}

/** The exit status a run's outcome calls for; a run that timed out throws its reason. */
export function settle(outcome: RunOutcome): void {
  if (!outcome.reportersOk || !outcome.report.passed) process.exitCode = 1;
  if (outcome.timedOut !== undefined) throw new Error(outcome.timedOut);
}

export function registerRunCommand(program: Command): void {
  withRunOptions(
    program
      .command('run')
      .description(
        'run the config (dtf.config.ts) or a suite file and report each test; without --coordinator, starts its own coordinator, Node worker(s) and browsers',
      ),
  ).action(async (file: string | undefined, flags: RunOptions, command: Command) => {
    // Loaded when a run is asked for: the models, sharding and pool code it brings slow every
    // other command's start.
    const { runSuite } = await import('../run/run-suite.js');
    settle(await runSuite(file, flags, command));
  });
}
