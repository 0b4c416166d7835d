import type { NotifiedRegression, StoredResult } from '../../protocol/index.js';
import {
  DEFAULT_MIN_SEGMENT,
  metricSeries,
  type TrendFlag,
  trendsNewWithLatest,
} from '../../trends/index.js';
import type { CoordinatorContext } from '../context.js';
import {
  type CoordinatorState,
  namedFirst,
  type RunRecord,
  runView,
  type StateEvent,
  storedResult,
  wantsEvent,
} from '../state/index.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function notifiedRegression(flag: TrendFlag): NotifiedRegression {
  const { series, change, before, after } = flag;
  const regression: NotifiedRegression = {
    test: series.test,
    metric: series.metric,
    relativeChange: change.relativeChange,
    medianBefore: change.medianBefore,
    medianAfter: change.medianAfter,
    confidence: change.confidence,
    before: {
      runId: before.runId,
      ...(before.commit === undefined ? {} : { commit: before.commit }),
    },
    after: { runId: after.runId, ...(after.commit === undefined ? {} : { commit: after.commit }) },
  };
  if (series.browser !== undefined) regression.browser = series.browser;
  if (series.backend !== undefined) regression.backend = series.backend;
  return regression;
}

/**
 * When a run ends, looks for the regressions its results bring to light in the series of its
 * suite (the change-point test of `dtf trends`, at its default sensitivity) and queues them as
 * one `regression` notification. On the leader only, one run at a time, one series per turn
 * of the event loop; a run ending while another is looked at waits its turn.
 */
export class RegressionWatch {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CoordinatorContext) {}

  /** Resolves once every run that has ended so far has been looked at. */
  settled(): Promise<void> {
    return this.chain;
  }

  onCommitted(events: readonly StateEvent[]): void {
    for (const event of events) {
      if (event.type !== 'RunResultsRecorded' || !event.ended) continue;
      if (this.ctx.cluster !== undefined && !this.ctx.cluster.isLeader) continue;
      if (!wantsEvent(this.ctx.state, 'regression')) continue;
      const { run } = event;
      this.chain = this.chain
        .then(() => this.look(run))
        .catch((error: unknown) =>
          this.ctx.logger.error({ err: error, run: run.id }, 'regression check failed'),
        );
    }
  }

  private async look(run: RunRecord): Promise<void> {
    const tests = new Set(run.results.map((r) => r.test));
    const results: StoredResult[] = [];
    for (const other of this.ctx.state.runs.values()) {
      if (other.suite !== run.suite || (other.status === 'running' && other !== run)) continue;
      for (const result of other.results) {
        if (tests.has(result.test)) results.push(storedResult(other, result));
      }
    }
    const notified = notifiedChanges(this.ctx.state);
    const found: TrendFlag[] = [];
    for (const series of metricSeries(results)) {
      if (series.points.at(-1)?.runId !== run.id) continue;
      await nextTurn();
      const seen = notified.get(seriesKey(series));
      const indexOf = new Map(series.points.map((p, i) => [p.runId, i]));
      for (const flag of trendsNewWithLatest(series)) {
        // A change near the edge of the test's sensitivity can be found, lost and found again
        // as runs come: one already told of (give or take a few runs) is not told again.
        const told = [...(seen ?? [])].some(
          (runId) =>
            Math.abs((indexOf.get(runId) ?? -Infinity) - flag.change.index) <= DEFAULT_MIN_SEGMENT,
        );
        if (flag.kind === 'regression' && !told) found.push(flag);
      }
    }
    if (found.length === 0) return;
    const [regressions, moreRegressions] = namedFirst(found, notifiedRegression);
    await new Promise<void>((resolve) => {
      this.ctx.commit.submit(
        {
          type: 'QueueNotifications',
          now: this.ctx.now(),
          key: run.id,
          notifications: [{ event: 'regression', run: runView(run), regressions, moreRegressions }],
        },
        () => resolve(),
        (error) => {
          this.ctx.logger.warn({ err: error, run: run.id }, 'regressions not queued');
          resolve();
        },
      );
    });
  }
}

type Place = Pick<NotifiedRegression, 'test' | 'browser' | 'backend' | 'metric'>;

const seriesKey = (place: Place) =>
  [place.test, place.browser ?? '', place.backend ?? '', place.metric].join('\u0000');

/** Per series, the first runs after the changes regression deliveries have told of. */
function notifiedChanges(state: CoordinatorState): Map<string, Set<string>> {
  const told = new Map<string, Set<string>>();
  for (const { notification } of state.deliveries.values()) {
    if (notification.event !== 'regression') continue;
    for (const regression of notification.regressions) {
      const key = seriesKey(regression);
      const runs = told.get(key) ?? new Set<string>();
      runs.add(regression.after.runId);
      told.set(key, runs);
    }
  }
  return told;
}
