import { type AutoscaleLimits, autoscaleStep } from './autoscale.js';

/** A member of a scaled group as the loop sees it. */
export interface ScaledMember {
  id: string;
  /** Runs nothing now: it may be retired. */
  idle: boolean;
}

/** A group of workers the loop grows and shrinks: a pool's browsers, a process's Node workers. */
export interface ScaledGroup {
  /** Its members, those retiring or stopped left out. */
  live(): ScaledMember[];
  add(count: number): void;
  /** Closes these members once they run nothing (they are idle when asked). */
  retire(ids: readonly string[]): void;
}

export interface AutoscaleLoopOptions {
  limits: AutoscaleLimits;
  /** Queued tasks a new member could take (the coordinator's `/api/queue`). */
  queued(): Promise<number>;
  /** The machine's available memory, in MB. */
  freeMb(): number;
  /** How often to look; 1 s by default. */
  intervalMs?: number | undefined;
  signal: AbortSignal;
  /** Told of each change of size before it is made. */
  onScaled(change: { from: number; to: number; reason: string }): void;
  /** A queue that could not be read: the group keeps its size meanwhile. */
  onError(error: unknown): void;
}

/**
 * Looks at the queue every interval and grows or shrinks the group (see `autoscaleStep`) until
 * `signal` aborts.
 */
export async function runAutoscaleLoop(
  options: AutoscaleLoopOptions,
  group: ScaledGroup,
): Promise<void> {
  const { limits, signal } = options;
  let emptySince: number | undefined;
  while (!signal.aborted) {
    try {
      const queued = await options.queued();
      const now = Date.now();
      emptySince = queued > 0 ? undefined : (emptySince ?? now);
      const live = group.live();
      const idle = live.filter((member) => member.idle);
      const step = autoscaleStep(limits, {
        members: live.length,
        idle: idle.length,
        queued,
        emptySince,
        now,
        freeMb: options.freeMb(),
      });
      if (step.add > 0 || step.retire > 0) {
        const to = live.length + step.add - step.retire;
        options.onScaled({ from: live.length, to, reason: step.reason ?? '' });
        if (step.add > 0) group.add(step.add);
        if (step.retire > 0) group.retire(idle.slice(-step.retire).map((member) => member.id));
      }
    } catch (error) {
      options.onError(error);
    }
    await pause(options.intervalMs ?? 1_000, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
