import { type TaskEvent, TaskState } from '../../protocol/index.js';
import { formatTable } from './table.js';

const MAX_LISTED_FAILURES = 20;
const MAX_ERROR_LENGTH = 160;

/** Why a task did not succeed, in one short line. */
export function failureText(event: TaskEvent): string {
  const output = event.result?.output;
  const exit =
    output?.kind === 'command'
      ? output.signal !== null
        ? `killed by ${output.signal}`
        : `exit code ${output.exitCode}`
      : undefined;
  const text = event.result?.error ?? event.reason ?? exit ?? '';
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine.length > MAX_ERROR_LENGTH
    ? `${firstLine.slice(0, MAX_ERROR_LENGTH - 1)}…`
    : firstLine;
}

/** The outcome of a wait: how many tasks ended in each state, then the ones that failed. */
export function formatSummary(events: readonly TaskEvent[]): string {
  const stateRows = TaskState.options
    .map((state) => [state, String(events.filter((event) => event.state === state).length)])
    .filter(([, count]) => count !== '0');
  const sections = [formatTable([['STATE', 'TASKS'], ...stateRows])];
  const failures = events.filter((event) => event.state !== 'succeeded');
  if (failures.length > 0) {
    const listed = failures.slice(0, MAX_LISTED_FAILURES);
    const rows = listed.map((event) => [
      event.taskId,
      event.state,
      String(event.attempt),
      failureText(event),
    ]);
    const more = failures.length - listed.length;
    sections.push(
      [
        `${failures.length} task(s) did not succeed:`,
        formatTable([['TASK', 'STATE', 'ATTEMPT', 'ERROR'], ...rows]),
        ...(more > 0 ? [`… and ${more} more (dtf tasks --state failed lists them)`] : []),
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}
