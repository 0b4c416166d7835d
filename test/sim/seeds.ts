import { runSeed, SimFailure, type SimResult } from './simulation.js';

/** The seed named by DTF_SIM_SEED, to reproduce one failure; null when unset. */
export function seedFromEnv(): number | null {
  const raw = process.env.DTF_SIM_SEED;
  if (raw === undefined || raw === '') return null;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`DTF_SIM_SEED=${raw} is not a seed`);
  return seed;
}

export function stepsFromEnv(): number | undefined {
  const raw = process.env.DTF_SIM_STEPS;
  return raw ? Number(raw) : undefined;
}

/** Seeds from..to (inclusive) in chunks, for one test each. */
export function chunks(from: number, to: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = from; lo <= to; lo += size) out.push([lo, Math.min(to, lo + size - 1)]);
  return out;
}

/** Runs seeds lo..hi; throws with every failing seed's message. */
export function runSeeds(lo: number, hi: number, steps?: number): SimResult[] {
  const results: SimResult[] = [];
  const failures: string[] = [];
  for (let seed = lo; seed <= hi; seed++) {
    try {
      results.push(runSeed({ seed, steps }));
    } catch (err) {
      if (!(err instanceof SimFailure)) throw err;
      failures.push(err.message);
    }
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${hi - lo + 1} seeds failed:\n${failures.join('\n')}`);
  }
  return results;
}
