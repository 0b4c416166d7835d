import type { ExecutionProvider, StageSpeeds } from '../../protocol/index.js';

/** No stage measured yet. */
export const NO_SPEEDS: StageSpeeds = { byWorker: {}, byBrowser: {} };

/** Where an expected stage time comes from, said in the plan's reasons. */
export type SpeedSource = 'worker' | 'browser' | 'none';

export interface SpeedEstimate {
  msPerGflop: number;
  source: SpeedSource;
  samples: number;
}

/**
 * What is assumed for a worker and backend nobody has measured yet: slow enough that a
 * measured worker of the same speed is preferred. A run measures such pairs before it plans
 * (see `sharding/run/calibrate.ts`), so this only orders pairs that could not be measured.
 */
export const UNMEASURED_MS_PER_GFLOP = 1_000;

/** The worker's own history first, then its browser's, then the unmeasured default. */
export function speedOf(
  speeds: StageSpeeds,
  worker: { name: string; browser: string },
  backend: ExecutionProvider,
): SpeedEstimate {
  const own = speeds.byWorker[worker.name]?.[backend];
  if (own !== undefined) return { ...own, source: 'worker' };
  const browser = speeds.byBrowser[worker.browser]?.[backend];
  if (browser !== undefined) return { ...browser, source: 'browser' };
  return { msPerGflop: UNMEASURED_MS_PER_GFLOP, source: 'none', samples: 0 };
}
