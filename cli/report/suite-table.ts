import { formatDuration } from '../format/duration.js';
import { formatTable } from '../format/table.js';
import { formatMatrixTable } from './matrix-table.js';
import { formatShardedFigures } from './sharded-figures.js';
import type { SuiteReport, TaskReport } from './suite-report.js';

const MAX_DETAIL = 80;

/** A task's row detail: its tests' tally and first failure, or its error, on one line. */
export function detail(task: TaskReport): string {
  const failed = task.cases.filter((c) => c.status === 'failed' || c.status === 'error');
  const text =
    task.kind === 'vitest' && task.cases.length > 0
      ? `${task.cases.length - failed.length}/${task.cases.length} tests passed${failed[0] ? `; ${failed[0].name}: ${failed[0].message ?? ''}` : ''}`
      : (task.error ?? lastLine(task));
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

/** What a passing command said last, e.g. a timing it measured. */
function lastLine(task: TaskReport): string {
  const output = task.result?.output;
  if (output?.kind !== 'command') return '';
  return output.stdout.trimEnd().split('\n').pop() ?? '';
}

export const TASK_COLUMNS = ['TASK', 'KIND', 'RESULT', 'TIME', 'ATTEMPT', 'DETAIL'];

/** A row per task outside the matrix (the matrix shows those): the columns of `TASK_COLUMNS`. */
export function taskRows(report: SuiteReport): string[][] {
  const inMatrix = new Set(report.matrix?.map((cell) => cell.taskId));
  return report.tasks
    .filter((t) => !inMatrix.has(t.id))
    .map((t) => [
      t.name,
      t.kind,
      t.state === 'succeeded'
        ? 'pass'
        : t.cases.some((c) => c.quarantined) &&
            t.cases.every((c) => c.quarantined || (c.status !== 'failed' && c.status !== 'error'))
          ? `${t.state} (quarantined)`
          : t.state,
      formatDuration(t.durationMs),
      String(t.attempt),
      detail(t),
    ]);
}

/** The run as a table a person reads: one row per task, then a one-line verdict. */
export function formatSuiteTable(report: SuiteReport): string {
  const rows = taskRows(report);
  const sections: string[] = [];
  const sharded = report.sharded ?? [];
  if (report.matrix !== undefined || sharded.length > 0) {
    sections.push(formatMatrixTable(report.matrix ?? [], sharded));
  }
  const figures = formatShardedFigures(sharded);
  if (figures !== '') sections.push(figures);
  if (rows.length > 0) {
    sections.push(formatTable([TASK_COLUMNS, ...rows]));
  }
  sections.push(`${report.passed ? 'PASS' : 'FAIL'}  ${verdict(report)}`);
  return sections.join('\n\n');
}

/** The one-line verdict: tasks, matrix cells and checks passed, and the time taken. */
export function verdict(report: SuiteReport): string {
  const inMatrix = new Set((report.matrix ?? []).map((cell) => cell.taskId));
  const cells = [...(report.matrix ?? []), ...(report.sharded ?? [])];
  const tasks = report.tasks.filter((t) => !inMatrix.has(t.id));
  const count = (v: string) => cells.filter((c) => c.verdict === v).length;
  const parts: string[] = [];
  if (tasks.length > 0) {
    parts.push(
      `${tasks.filter((t) => t.state === 'succeeded').length}/${tasks.length} tasks passed`,
    );
  }
  if (cells.length > 0) {
    parts.push(
      `${count('pass')}/${cells.length} matrix cells passed (${count('unsupported')} unsupported, ${count('fail') + count('error')} failed)`,
    );
  }
  const { cases, casesFailed, casesSkipped } = report.counts;
  const skipped = casesSkipped > 0 ? ` (${casesSkipped} skipped)` : '';
  parts.push(`${cases - casesFailed - casesSkipped}/${cases} checks passed${skipped}`);
  const quarantined = report.quarantinedFailures ?? 0;
  const note =
    quarantined > 0 ? `; ${quarantined} failure(s) of quarantined tests not counted` : '';
  return `${report.suite}: ${parts.join(', ')} in ${formatDuration(report.durationMs)}${note}`;
}
