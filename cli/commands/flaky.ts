import type { Command } from 'commander';
import {
  type QuarantineEntry,
  quarantineCovers,
  RestQuarantineReply,
} from '../../protocol/index.js';
import { type FlakyTest, flakyTests } from '../../trends/index.js';
import { coordinatorAccess, restGetChecked, restPostChecked } from '../connection.js';
import { formatTable } from '../format/table.js';
import { printJson, printLine } from '../output.js';
import { formatInstant, storedResults } from './runs.js';

interface PlaceOptions {
  browser?: string;
  backend?: string;
  reason?: string;
}

const where = (place: { browser?: string | undefined; backend?: string | undefined }) =>
  [place.browser, place.backend].filter(Boolean).join(' · ') || 'everywhere';

export function formatFlakyTable(
  flaky: readonly FlakyTest[],
  quarantine: readonly QuarantineEntry[],
): string {
  const rows = flaky.map((f) => [
    f.test,
    where(f),
    `${(f.flipRate * 100).toFixed(0)}%`,
    `${f.failures}/${f.runs}`,
    f.commits.map((c) => c.slice(0, 10)).join(' '),
    quarantine.some((q) => quarantineCovers(q, f)) ? 'yes' : 'no',
    f.lastFailure === undefined ? '-' : formatInstant(f.lastFailure.at),
    f.lastFailure?.error?.split('\n', 1)[0]?.slice(0, 60) ?? '',
  ]);
  return formatTable([
    [
      'TEST',
      'WHERE',
      'FLIP RATE',
      'FAILED',
      'COMMITS',
      'QUARANTINED',
      'LAST FAILED (UTC)',
      'ERROR',
    ],
    ...rows,
  ]);
}

async function quarantineCall(command: Command, path: string, body: object): Promise<void> {
  await restPostChecked(coordinatorAccess(command), path, body, RestQuarantineReply);
}

function placeOf(test: string, options: PlaceOptions) {
  return {
    test,
    ...(options.browser === undefined ? {} : { browser: options.browser }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  };
}

export function registerFlakyCommand(program: Command): void {
  const flaky = program
    .command('flaky')
    .description('flaky tests (passed and failed on one commit), and their quarantine');
  flaky
    .command('list')
    .description(
      'the flaky tests in the results store, the flakiest first, and whether each is quarantined',
    )
    .option('--suite <name>', 'only runs of this suite')
    .option('--since <date>', 'only runs started since (ISO 8601: 2026-12-01)')
    .option('--json', 'print them as JSON')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { json, ...filters } = options;
      const found = flakyTests(await storedResults(command, filters, 'flaky filter'));
      const access = coordinatorAccess(command);
      const { quarantined } = await restGetChecked(access, '/api/quarantine', RestQuarantineReply);
      if (json === true) printJson({ flaky: found, quarantined });
      else printLine(found.length === 0 ? 'no flaky tests' : formatFlakyTable(found, quarantined));
    });
  flaky
    .command('quarantine')
    .description('quarantine a test: it still runs and is reported, but its failures fail no run')
    .argument('<test>', "the test, named as dtf results names it ('model mlp', 'a.test.js > adds')")
    .option('--browser <name>', 'only where it runs in this browser (node for Node workers)')
    .option('--backend <name>', 'only where it runs on this backend')
    .option('--reason <text>', 'why, for whoever reads the list')
    .action(async (test: string, options: PlaceOptions, command: Command) => {
      const entry = {
        ...placeOf(test, options),
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      };
      await quarantineCall(command, '/api/quarantine', entry);
      printLine(
        `quarantined '${test}' (${where(entry)}): its failures fail no run until dtf flaky release`,
      );
    });
  flaky
    .command('release')
    .description('release a quarantined test: its failures fail runs again')
    .argument('<test>', 'the test, as it was quarantined')
    .option('--browser <name>', 'as it was quarantined')
    .option('--backend <name>', 'as it was quarantined')
    .action(async (test: string, options: PlaceOptions, command: Command) => {
      const entry = placeOf(test, options);
      await quarantineCall(command, '/api/quarantine/release', entry);
      printLine(`released '${test}' (${where(entry)}): its failures fail runs again`);
    });
}
