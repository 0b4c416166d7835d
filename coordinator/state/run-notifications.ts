import {
  MAX_NOTIFIED_ERROR_CHARS,
  MAX_NOTIFIED_TESTS,
  type Notification,
  type NotifiedFlaky,
  type NotifiedTest,
  type ResultInput,
} from '../../protocol/index.js';
import { compareRuns, type FlakyTest, flakyTests, resultKey } from '../../trends/index.js';
import type { StateEvent } from './events.js';
import { type RunRecord, runView, storedResult } from './runs.js';
import type { CoordinatorState } from './types.js';
import { queueNotifications, wantsEvent } from './webhooks.js';

const failing = (r: ResultInput) => r.status === 'failed' || r.status === 'error';

/** The first `MAX_NOTIFIED_TESTS` of `items` as a notification names them, and how many more. */
export function namedFirst<T, U>(items: readonly T[], name: (item: T) => U): [U[], number] {
  return [
    items.slice(0, MAX_NOTIFIED_TESTS).map(name),
    Math.max(0, items.length - MAX_NOTIFIED_TESTS),
  ];
}

function notifiedTest(result: ResultInput): NotifiedTest {
  const test: NotifiedTest = { test: result.test, status: result.status };
  if (result.browser !== undefined) test.browser = result.browser;
  if (result.backend !== undefined) test.backend = result.backend;
  if (result.error !== undefined) test.error = result.error.slice(0, MAX_NOTIFIED_ERROR_CHARS);
  return test;
}

/** The run of the same suite that ended last before `run`, if any. */
function previousRun(state: CoordinatorState, run: RunRecord): RunRecord | undefined {
  let previous: RunRecord | undefined;
  for (const other of state.runs.values()) {
    if (other === run) return previous;
    if (other.suite === run.suite && other.status !== 'running' && other.results.length > 0) {
      previous = other;
    }
  }
  return previous;
}

/** Tests of `run` flaky on its commit now that were not before it. */
function newlyFlaky(state: CoordinatorState, run: RunRecord): FlakyTest[] {
  const commit = run.meta.commit;
  if (commit === undefined) return [];
  const others = [...state.runs.values()].filter(
    (r) => r !== run && r.suite === run.suite && r.meta.commit === commit,
  );
  if (others.length === 0) return [];
  const before = others.flatMap((r) => r.results.map((result) => storedResult(r, result)));
  const wasFlaky = new Set(flakyTests(before).map(resultKey));
  const mine = new Set(run.results.map(resultKey));
  const now = [...before, ...run.results.map((result) => storedResult(run, result))];
  return flakyTests(now).filter((f) => mine.has(resultKey(f)) && !wasFlaky.has(resultKey(f)));
}

function notifiedFlaky(flaky: FlakyTest): NotifiedFlaky {
  const { lastFailure: _, ...named } = flaky;
  return named;
}

/**
 * What the end of `run` tells the webhooks that want to hear it: that it ended (with its
 * failures), the tests failing now that passed in the suite's previous run, and the tests
 * newly flaky on its commit. Nothing is worked out that no webhook takes.
 */
export function runEndNotifications(state: CoordinatorState, run: RunRecord): Notification[] {
  const notifications: Notification[] = [];
  const view = runView(run);
  if (wantsEvent(state, 'run.ended')) {
    const [failures, moreFailures] = namedFirst(run.results.filter(failing), notifiedTest);
    notifications.push({ event: 'run.ended', run: view, failures, moreFailures });
  }
  const previous = wantsEvent(state, 'failure.new') ? previousRun(state, run) : undefined;
  if (previous !== undefined) {
    const { newFailures } = compareRuns(previous.results, run.results);
    if (newFailures.length > 0) {
      const [tests, moreTests] = namedFirst(newFailures, notifiedTest);
      notifications.push({ event: 'failure.new', run: view, tests, moreTests });
    }
  }
  const newly = wantsEvent(state, 'flaky') ? newlyFlaky(state, run) : [];
  if (newly.length > 0) {
    const [flaky, moreFlaky] = namedFirst(newly, notifiedFlaky);
    notifications.push({ event: 'flaky', run: view, flaky, moreFlaky });
  }
  return notifications;
}

/** The events of a `RecordRunResults`, and when it ended the run, the deliveries it queued. */
export function withRunEndDeliveries(
  state: CoordinatorState,
  now: number,
  events: StateEvent[],
): StateEvent[] {
  for (const event of events) {
    if (event.type !== 'RunResultsRecorded' || !event.ended) continue;
    const notifications = runEndNotifications(state, event.run);
    return [...events, ...queueNotifications(state, now, event.run.id, notifications)];
  }
  return events;
}
