export interface TimedRuns<T> {
  /** What the last run returned. */
  last: T;
  /** The first run, which includes warm-up work (kernel compilation, allocation). */
  firstRunMs: number;
  /** Each later run; fewer than asked for when the attempt was aborted. */
  samples: number[];
  /** All later runs as one interval: resolves their mean where the clock is too coarse for each. */
  totalMs: number;
}

/** Runs `run` once, then `runs` more times, timing each: the shape of every benchmarked task. */
export async function timedRuns<T>(
  run: () => Promise<T>,
  runs: number,
  signal: AbortSignal,
): Promise<TimedRuns<T>> {
  const firstStarted = performance.now();
  let last = await run();
  const firstRunMs = performance.now() - firstStarted;
  const samples: number[] = [];
  const allStarted = performance.now();
  for (let i = 0; i < runs && !signal.aborted; i++) {
    const started = performance.now();
    last = await run();
    samples.push(performance.now() - started);
  }
  return { last, firstRunMs, samples, totalMs: performance.now() - allStarted };
}
