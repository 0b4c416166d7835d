import type { ExecutionProvider, SpeedFigure, StageSpeeds } from '../../protocol/index.js';
import type { CoordinatorState, TaskRecord } from './types.js';

/**
 * Runs a speed keeps: its figure is their median, so one run slowed by a busy machine (a
 * collection, another process) does not move it, and old runs age out.
 */
const RECENT_RUNS = 9;

/** `worker` + name or `browser` + browser name, then the backend, `\u0000` apart. */
type SpeedKey = string;

const keyOf = (scope: 'worker' | 'browser', name: string, backend: ExecutionProvider): SpeedKey =>
  `${scope}\u0000${name}\u0000${backend}`;

function fold(state: CoordinatorState, key: SpeedKey, msPerGflop: number): void {
  const history = state.stageSpeeds.get(key) ?? { recent: [], samples: 0 };
  state.stageSpeeds.set(key, {
    recent: [...history.recent, msPerGflop].slice(-RECENT_RUNS),
    samples: history.samples + 1,
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Folds a succeeded stage's speed (its inference time over its estimated work, on a session that
 * had run before) into the history of its worker and of its browser, which sharded runs place
 * their stages by.
 */
export function noteStageSpeed(state: CoordinatorState, task: TaskRecord): void {
  const output = task.result?.output;
  // A session's first run pays for its set-up (kernels, buffers) and says little of its pace.
  if (
    task.state !== 'succeeded' ||
    output?.kind !== 'shard-stage' ||
    !output.timings.sessionReused
  ) {
    return;
  }
  const gflop = (output.costFlops ?? 0) / 1e9;
  const worker = task.workerId === undefined ? undefined : state.workers.get(task.workerId);
  if (gflop <= 0 || worker === undefined) return;
  const msPerGflop = output.timings.runMs / gflop;
  const browser = worker.capabilities.kind === 'node' ? 'node' : worker.capabilities.browser.name;
  fold(state, keyOf('worker', worker.name, output.executionProvider), msPerGflop);
  fold(state, keyOf('browser', browser, output.executionProvider), msPerGflop);
}

/** The history as `GET /api/shard/speeds` answers it. */
export function stageSpeedsView(state: CoordinatorState): StageSpeeds {
  const view: StageSpeeds = { byWorker: {}, byBrowser: {} };
  for (const [key, history] of state.stageSpeeds) {
    const [scope, name, backend] = key.split('\u0000') as [string, string, ExecutionProvider];
    const table = scope === 'worker' ? view.byWorker : view.byBrowser;
    const figure: SpeedFigure = { msPerGflop: median(history.recent), samples: history.samples };
    table[name] = { ...table[name], [backend]: figure };
  }
  return view;
}
