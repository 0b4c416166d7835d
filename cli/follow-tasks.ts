import type { DtfClient, TaskProgress, TaskSelector } from '../client/index.js';
import { type TaskEvent, TERMINAL_STATES } from '../protocol/index.js';
import { formatDuration } from './format/duration.js';
import { formatTimeout, MAX_NAMED_PENDING } from './format/pending.js';
import { failuresOf, formatSummary, MAX_LISTED_FAILURES } from './format/summary.js';
import { printJson, printLine } from './output.js';
import { formatProgressLine } from './progress/progress-line.js';
import { ProgressReporter } from './progress/progress-reporter.js';
import { QueuedNotes } from './progress/queued-notes.js';

export interface WaitOptions {
  /** Give up waiting after this long. */
  timeoutMs?: number | undefined;
  /**
   * Called when the time is up, with the timeout message; the wait then goes on until every
   * task has ended (the callback ends them, e.g. by cancelling). Without it, the wait stops.
   */
  onTimeout?: (message: string) => Promise<void>;
  /** Called as each task ends, with the event that ended it. */
  onEnded?: (event: TaskEvent) => void;
}

export type WaitOutcome =
  | { events: TaskEvent[]; timedOut?: string }
  /** The time ran out (without `onTimeout`): why, naming what had not ended. */
  | { events?: undefined; timedOut: string };

/**
 * Waits until every selected task has ended, showing progress on stderr meanwhile, with the
 * reasons queued tasks wait (`unschedulable: …`) as the coordinator gives them.
 */
export async function waitWithProgress(
  client: DtfClient,
  selector: TaskSelector,
  options: WaitOptions = {},
): Promise<WaitOutcome> {
  const reporter = new ProgressReporter(process.stderr);
  let progress: TaskProgress | undefined;
  const show = () => {
    if (progress === undefined) return;
    reporter.update(formatProgressLine(progress.countsByState(), progress.total, notes.summary()));
  };
  const notes = new QueuedNotes(client, show);
  const ended = client.waitFor(selector, {
    onEvent: (event, known) => {
      progress = known;
      notes.saw(event);
      show();
      if (TERMINAL_STATES.has(event.state)) options.onEnded?.(event);
    },
  });
  notes.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    if (options.timeoutMs === undefined) return { events: await ended };
    const timeoutMs = options.timeoutMs;
    const timeUp = new Promise<'time up'>((resolve) => {
      timer = setTimeout(() => resolve('time up'), timeoutMs);
    });
    const first = await Promise.race([ended, timeUp]);
    if (first !== 'time up') return { events: first };
    const timedOut = await describeTimeout(client, selector, progress, timeoutMs);
    if (options.onTimeout === undefined) {
      // Closing the client ends the wait; its outcome no longer matters.
      ended.catch(() => {});
      return { timedOut };
    }
    await options.onTimeout(timedOut);
    return { events: await ended, timedOut };
  } finally {
    clearTimeout(timer);
    notes.stop();
    reporter.finish();
  }
}

async function describeTimeout(
  client: DtfClient,
  selector: TaskSelector,
  progress: TaskProgress | undefined,
  timeoutMs: number,
): Promise<string> {
  if (progress === undefined) {
    const what = 'group' in selector ? `group '${selector.group}'` : 'the tasks';
    return `timed out after ${formatDuration(timeoutMs)}: the coordinator sent nothing about ${what} yet`;
  }
  const pending = [
    ...progress
      .latestEvents()
      .filter((event) => !TERMINAL_STATES.has(event.state))
      .map((event) => event.taskId),
    ...progress.unseenTaskIds(),
  ];
  // The count alone still says what the timeout is about when the names cannot be looked up.
  const named = await client
    .query({ taskIds: pending.slice(0, MAX_NAMED_PENDING) })
    .catch(() => []);
  return formatTimeout(timeoutMs, pending.length, progress.total, named);
}

/**
 * Shows progress on stderr until every selected task has ended, then prints the outcome: a
 * summary naming what did not succeed, or with `json` that document plus the final `events`.
 * True if all succeeded. Time running out (`timeoutMs`) is an error naming what had not ended.
 */
export async function followTasks(
  client: DtfClient,
  selector: TaskSelector,
  json: Record<string, unknown> | undefined,
  timeoutMs?: number,
): Promise<boolean> {
  const outcome = await waitWithProgress(client, selector, { timeoutMs });
  if (outcome.events === undefined) throw new Error(outcome.timedOut);
  const { events } = outcome;
  if (events.length === 0) {
    throw new Error('group' in selector ? `group '${selector.group}' has no tasks` : 'no tasks');
  }
  if (json === undefined) {
    const listed = failuresOf(events).slice(0, MAX_LISTED_FAILURES);
    const views =
      listed.length === 0 ? [] : await client.query({ taskIds: listed.map((e) => e.taskId) });
    printLine(formatSummary(events, new Map(views.map((view) => [view.id, view]))));
  } else {
    printJson({ ...json, events });
  }
  return events.every((event) => event.state === 'succeeded');
}
