import { formatDuration } from '../format/duration.js';
import { formatTable } from '../format/table.js';
import type { SuiteReport, TaskReport } from './suite-report.js';

const MAX_DETAIL = 80;

function detail(task: TaskReport): string {
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

/** The run as a table a person reads: one row per task, then a one-line verdict. */
export function formatSuiteTable(report: SuiteReport): string {
  const rows = report.tasks.map((t) => [
    t.name,
    t.kind,
    t.state === 'succeeded' ? 'pass' : t.state,
    formatDuration(t.durationMs),
    String(t.attempt),
    detail(t),
  ]);
  const table = formatTable([['TASK', 'KIND', 'RESULT', 'TIME', 'ATTEMPT', 'DETAIL'], ...rows]);
  const { counts } = report;
  const verdict = `${report.suite}: ${counts.succeeded}/${counts.tasks} tasks passed, ${counts.cases - counts.casesFailed}/${counts.cases} checks passed in ${formatDuration(report.durationMs)}`;
  return `${table}\n\n${report.passed ? 'PASS' : 'FAIL'}  ${verdict}`;
}
