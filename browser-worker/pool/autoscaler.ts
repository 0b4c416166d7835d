import { freemem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type AutoscaleLimits, autoscaleStep } from './autoscale.js';
import type { BrowserName } from './browser-counts.js';
import type { PoolEvent, PoolMemberStatus } from './pool-events.js';

/** What `dtf pool --min --max` is given: its limits, and how to learn the queue's depth. */
export interface AutoscaleOptions extends Partial<Omit<AutoscaleLimits, 'min' | 'max'>> {
  browser: BrowserName;
  min: number;
  max: number;
  /** Queued tasks a new browser of the pool could take (the coordinator's `/api/queue`). */
  queued(): Promise<number>;
  /** How often to look; 1 s by default. */
  intervalMs?: number;
}

export const DEFAULT_SCALE_DOWN_AFTER_MS = 10_000;
/** A headless browser with the worker page holds 250–400 MB here; room for a model on top. */
export const DEFAULT_BROWSER_MB = 500;
const DEFAULT_RESERVE_MB = 512;

interface Scaled {
  members(): PoolMemberStatus[];
  add(count: number): void;
  retire(names: readonly string[]): void;
  onEvent(event: PoolEvent): void;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Looks at the queue every interval and grows or shrinks the pool's browsers of one kind (see
 * `autoscaleStep`) until `signal` aborts. A queue that cannot be read is logged and skipped:
 * the pool keeps its size meanwhile.
 */
export async function runAutoscaler(options: AutoscaleOptions, pool: Scaled): Promise<void> {
  const limits: AutoscaleLimits = {
    min: options.min,
    max: options.max,
    scaleDownAfterMs: options.scaleDownAfterMs ?? DEFAULT_SCALE_DOWN_AFTER_MS,
    browserMb: options.browserMb ?? DEFAULT_BROWSER_MB,
    reserveMb: options.reserveMb ?? DEFAULT_RESERVE_MB,
  };
  let emptySince: number | undefined;
  while (!pool.signal.aborted) {
    try {
      const queued = await options.queued();
      const now = Date.now();
      emptySince = queued > 0 ? undefined : (emptySince ?? now);
      const live = pool
        .members()
        .filter((m) => m.browser === options.browser && !m.retiring && m.status !== 'stopped');
      const idle = live.filter((m) => m.status === 'ready' && !m.busy);
      const step = autoscaleStep(limits, {
        members: live.length,
        idle: idle.length,
        queued,
        emptySince,
        now,
        freeMb: freemem() / 1_048_576,
      });
      if (step.add > 0 || step.retire > 0) {
        const to = live.length + step.add - step.retire;
        pool.onEvent({
          type: 'scaled',
          browser: options.browser,
          from: live.length,
          to,
          reason: step.reason ?? '',
        });
        if (step.add > 0) pool.add(step.add);
        if (step.retire > 0) pool.retire(idle.slice(-step.retire).map((m) => m.name));
      }
    } catch (error) {
      pool.logger.warn(
        { err: (error as Error).message },
        'autoscaling: the queue could not be read',
      );
    }
    await sleep(options.intervalMs ?? 1_000, undefined, { signal: pool.signal }).catch(() => {});
  }
}
