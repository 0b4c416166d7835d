import { matrixGrid } from './matrix-table.js';
import type { CaseReport, SuiteReport } from './suite-report.js';
import { TASK_COLUMNS, taskRows, verdict } from './suite-table.js';

/** A table cell's text: pipes escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/** A fence longer than any run of backticks in `text`, so that no error text can close it. */
function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}text`, text, fence];
}

const isFailure = (c: CaseReport) => c.status === 'failed' || c.status === 'error';

/** Most failures listed in full; a PR comment has a size limit (GitHub's is 65,536 characters). */
const MAX_FAILURES = 20;
const MAX_ERROR_CHARS = 2_000;

/**
 * The run in Markdown, for a pull-request comment or a CI job summary: the verdict, the model
 * matrix with its footnotes, every failure with its error folded away, and the tasks.
 */
export function toMarkdown(report: SuiteReport): string {
  const lines = [`### ${report.passed ? 'PASS' : 'FAIL'}: ${cell(verdict(report))}`, ''];
  const grid = matrixGrid(report.matrix ?? [], report.sharded ?? []);
  if (grid.rows.length > 0) {
    lines.push(...table(grid.header, grid.rows), '');
    for (const [i, note] of grid.footnotes.entries()) lines.push(`${i + 1}. ${cell(note)}`);
    if (grid.footnotes.length > 0) lines.push('');
  }
  const failures = report.tasks.flatMap((task) =>
    task.cases.filter(isFailure).map((c) => ({ task: task.name, c })),
  );
  if (failures.length > 0) {
    lines.push(`#### Failures (${failures.length})`, '');
    for (const { task, c } of failures.slice(0, MAX_FAILURES)) {
      const name = c.name === task ? task : `${task}: ${c.name}`;
      const message = c.message ?? c.status;
      lines.push(
        `<details><summary>${htmlText(name)}: ${htmlText(message.split('\n', 1)[0] ?? '')}</summary>`,
        '',
      );
      const shown =
        message.length > MAX_ERROR_CHARS
          ? `${message.slice(0, MAX_ERROR_CHARS)}\n… (cut; the JSON report has it all)`
          : message;
      lines.push(...fenced(shown), '', '</details>', '');
    }
    if (failures.length > MAX_FAILURES) {
      lines.push(`… and ${failures.length - MAX_FAILURES} more in the JSON and JUnit reports.`, '');
    }
  }
  const rows = taskRows(report);
  if (rows.length > 0) lines.push('#### Tasks', '', ...table(TASK_COLUMNS, rows), '');
  return `${lines.join('\n')}`;
}

/** Text inside HTML (a `<summary>`): markup characters escaped. */
function htmlText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
