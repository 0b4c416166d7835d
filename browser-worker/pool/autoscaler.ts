import { freemem } from 'node:os';
import type { Logger } from 'pino';
import {
  type AutoscaleLimits,
  DEFAULT_RESERVE_MB,
  DEFAULT_SCALE_DOWN_AFTER_MS,
  runAutoscaleLoop,
} from '../../worker-core/index.js';
import type { BrowserName } from './browser-counts.js';
import type { PoolEvent, PoolMemberStatus } from './pool-events.js';

/** What `dtf pool --min --max` is given: its limits, and how to learn the queue's depth. */
export interface AutoscaleOptions {
  browser: BrowserName;
  min: number;
  max: number;
  scaleDownAfterMs?: number;
  /** The memory one more browser is taken to need, in MB. */
  browserMb?: number;
  reserveMb?: number;
  /** Queued tasks a new browser of the pool could take (the coordinator's `/api/queue`). */
  queued(): Promise<number>;
  /** How often to look; 1 s by default. */
  intervalMs?: number;
}

export { DEFAULT_SCALE_DOWN_AFTER_MS };
/** A headless browser with the worker page holds 250–400 MB here; room for a model on top. */
export const DEFAULT_BROWSER_MB = 500;

interface Scaled {
  members(): PoolMemberStatus[];
  add(count: number): void;
  retire(names: readonly string[]): void;
  onEvent(event: PoolEvent): void;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Grows and shrinks the pool's browsers of one kind with the queue (see `runAutoscaleLoop`)
 * until `signal` aborts. A queue that cannot be read is logged: the pool keeps its size.
 */
export function runAutoscaler(options: AutoscaleOptions, pool: Scaled): Promise<void> {
  const limits: AutoscaleLimits = {
    min: options.min,
    max: options.max,
    scaleDownAfterMs: options.scaleDownAfterMs ?? DEFAULT_SCALE_DOWN_AFTER_MS,
    memberMb: options.browserMb ?? DEFAULT_BROWSER_MB,
    reserveMb: options.reserveMb ?? DEFAULT_RESERVE_MB,
    tasksPerMember: 1,
  };
  const { browser } = options;
  return runAutoscaleLoop(
    {
      limits,
      queued: options.queued,
      freeMb: () => freemem() / 1_048_576,
      intervalMs: options.intervalMs,
      signal: pool.signal,
      onScaled: ({ from, to, reason }) =>
        pool.onEvent({ type: 'scaled', browser, from, to, reason }),
      onError: (error) =>
        pool.logger.warn(
          { err: (error as Error).message },
          'autoscaling: the queue could not be read',
        ),
    },
    {
      live: () =>
        pool
          .members()
          .filter((m) => m.browser === browser && !m.retiring && m.status !== 'stopped')
          .map((m) => ({ id: m.name, idle: m.status === 'ready' && !m.busy })),
      add: pool.add,
      retire: pool.retire,
    },
  );
}
