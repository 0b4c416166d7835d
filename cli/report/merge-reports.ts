import { z } from 'zod';
import type { SuiteReport } from './suite-report.js';
import { judge } from './suite-report.js';

/**
 * The fields of a JSON report (`<suite>.results.json`) that merging relies on, checked before
 * they are; the rest is carried as the reporter wrote it.
 */
const ReportFile = z.looseObject({
  suite: z.string(),
  group: z.string(),
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  passed: z.boolean(),
  quarantinedFailures: z.number().int().nonnegative().optional(),
  tasks: z.array(
    z.looseObject({
      id: z.string(),
      state: z.string(),
      cases: z.array(z.looseObject({ name: z.string(), status: z.string() })),
    }),
  ),
  matrix: z.array(z.looseObject({})).optional(),
  sharded: z.array(z.looseObject({})).optional(),
});

/** A JSON report read back; throws, naming `what` and the field, if it is not one. */
export function parseReportFile(value: unknown, what: string): SuiteReport {
  const parsed = ReportFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new Error(`${what} is not a DTF JSON report${at}: ${issue.message}`);
  }
  return parsed.data as unknown as SuiteReport;
}

/**
 * The reports of one suite's shards (`dtf run --shard i/n`) as one run: every task, cell and
 * case of each; it started with the first and ended with the last; it passed if each did.
 */
export function mergeSuiteReports(reports: readonly SuiteReport[]): SuiteReport {
  const [first] = reports;
  if (first === undefined) throw new Error('no report to merge');
  const other = reports.find((report) => report.suite !== first.suite);
  if (other !== undefined) {
    throw new Error(`the reports are of different suites: '${first.suite}' and '${other.suite}'`);
  }
  const starts = reports.map((report) => Date.parse(report.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...reports.map((report, i) => starts[i]! + report.durationMs));
  const tasks = reports.flatMap((report) => report.tasks);
  const matrix = reports.flatMap((report) => report.matrix ?? []);
  const sharded = reports.flatMap((report) => report.sharded ?? []);
  const merged: SuiteReport = {
    suite: first.suite,
    group: reports.map((report) => report.group).join(','),
    startedAt: new Date(start).toISOString(),
    durationMs: end - start,
    ...judge(tasks, sharded),
    tasks,
  };
  // Each shard was judged with the quarantine as it stood: its verdict stands.
  merged.passed = reports.every((report) => report.passed);
  const quarantined = reports.reduce((n, report) => n + (report.quarantinedFailures ?? 0), 0);
  if (quarantined > 0) merged.quarantinedFailures = quarantined;
  if (matrix.length > 0) merged.matrix = matrix;
  if (sharded.length > 0) merged.sharded = sharded;
  return merged;
}
