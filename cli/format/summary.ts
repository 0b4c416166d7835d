import { type TaskEvent, type TaskResult, TaskState, type TaskView } from '../../protocol/index.js';
import { formatTable } from './table.js';
import { taskLabel } from './task-label.js';

/** How many tasks that did not succeed the summary describes (the CLI looks up their views). */
export const MAX_LISTED_FAILURES = 20;
const MAX_LINE_LENGTH = 160;
const MAX_DETAIL_LINES = 5;
const MAX_FAILED_TESTS = 3;

function clip(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH - 1)}…` : line;
}

function nonBlankLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
}

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
  return clip(text.split('\n', 1)[0] ?? '');
}

/**
 * The first lines that say more than the one-line reason: the tests that failed, then the rest
 * of the error, or else the start of what the task wrote to stderr.
 */
export function failureDetail(result: TaskResult | undefined): string[] {
  const output = result?.output;
  const lines: string[] = [];
  if (output !== undefined && 'tests' in output) {
    for (const test of output.tests
      .filter((t) => t.status === 'failed')
      .slice(0, MAX_FAILED_TESTS)) {
      lines.push(`✗ ${test.name}: ${test.error?.split('\n', 1)[0] ?? 'failed'}`);
    }
  }
  const moreError = nonBlankLines(result?.error ?? '').slice(1);
  const stderr = output !== undefined && 'stderr' in output ? (output.stderr ?? '') : '';
  lines.push(...(moreError.length > 0 ? moreError : nonBlankLines(stderr)));
  return lines.slice(0, MAX_DETAIL_LINES).map(clip);
}

function describeFailure(event: TaskEvent, view: TaskView | undefined): string {
  const who = taskLabel(view?.name ?? view?.kind, event.taskId);
  const head = `${who}: ${event.state}, attempt ${event.attempt}`;
  const reason = failureText(event);
  const detail = failureDetail(event.result).map((line) => `    ${line}`);
  return [reason === '' ? head : `${head}: ${reason}`, ...detail].join('\n');
}

/**
 * The outcome of a wait: how many tasks ended in each state, then the ones that did not succeed,
 * each by name (from `views`, by task id) with the first lines of its error or stderr.
 */
export function formatSummary(
  events: readonly TaskEvent[],
  views: ReadonlyMap<string, TaskView> = new Map(),
): string {
  const stateRows = TaskState.options
    .map((state) => [state, String(events.filter((event) => event.state === state).length)])
    .filter(([, count]) => count !== '0');
  const sections = [formatTable([['STATE', 'TASKS'], ...stateRows])];
  const failures = failuresOf(events);
  if (failures.length > 0) {
    const listed = failures.slice(0, MAX_LISTED_FAILURES);
    const more = failures.length - listed.length;
    sections.push(
      [
        `${failures.length} task(s) did not succeed:`,
        ...listed.map((event) => describeFailure(event, views.get(event.taskId))),
        ...(more > 0 ? [`… and ${more} more (dtf tasks --state failed lists them)`] : []),
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}

/** The events of tasks that did not succeed, in the order given. */
export function failuresOf(events: readonly TaskEvent[]): TaskEvent[] {
  return events.filter((event) => event.state !== 'succeeded');
}
