import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { printStatus } from '../output.js';
import { mergeSuiteReports, parseReportFile } from '../report/merge-reports.js';
import { DEFAULT_REPORTERS, resolveReporters, runReporters } from '../report/reporters/index.js';
import { resultsOfReport } from '../report/run-results.js';
import { readJsonFile } from '../specs/json-file.js';
import { UsageError } from '../usage-error.js';

const REPORT_SUFFIX = '.results.json';

/** The JSON reports given: files as named, and every `*.results.json` in a directory. */
async function reportFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new UsageError(`no such file or directory: ${path}`);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = (await readdir(path)).filter((name) => name.endsWith(REPORT_SUFFIX)).sort();
    if (found.length === 0) {
      throw new UsageError(
        `${path} holds no JSON report (*${REPORT_SUFFIX}): run with --reporter json`,
      );
    }
    files.push(...found.map((name) => join(path, name)));
  }
  return files;
}

export function registerMergeReportsCommand(program: Command): void {
  program
    .command('merge-reports')
    .description(
      'join the JSON reports of a sharded run (dtf run --shard i/n in several jobs) into one report of the whole run',
    )
    .argument('<reports...>', `JSON reports (*${REPORT_SUFFIX}) or directories holding them`)
    .option('--out <dir>', 'directory for the merged reports', 'reports')
    .option(
      '--reporter <name>',
      "how to report the merged run (repeatable): list, json, junit, markdown, html, or a module's path (default: list, json and junit)",
      (name: string, previous: string[] | undefined) => [...(previous ?? []), name],
    )
    .action(async (paths: string[], options: { out: string; reporter?: string[] }) => {
      const files = await reportFiles(paths);
      const reports = await Promise.all(
        files.map(async (file) =>
          parseReportFile(await readJsonFile(file, `'${file}'`), `'${file}'`),
        ),
      );
      const merged = mergeSuiteReports(reports);
      printStatus(`merged ${files.length} report(s) of suite '${merged.suite}'`);
      const reporters = await resolveReporters(
        options.reporter ?? DEFAULT_REPORTERS,
        process.cwd(),
      );
      const { files: written, ok } = await runReporters(reporters, merged, options.out, {
        results: resultsOfReport(merged, new Map()),
        previous: () => Promise.resolve(undefined),
        history: () => Promise.resolve(undefined),
      });
      if (written.length > 0) printStatus(`reports: ${written.join(', ')}`);
      if (!ok || !merged.passed) process.exitCode = 1;
    });
}
