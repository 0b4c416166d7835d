import { describe, expect, it } from 'vitest';
import { chunks, runSeeds, seedFromEnv, stepsFromEnv } from './seeds.js';
import { runSeed } from './simulation.js';

// The CI seeds are split over two files so that vitest can run them side by side.
const only = seedFromEnv();

describe.skipIf(only !== null)('raft simulation, seeds 1-1000', () => {
  for (const [lo, hi] of chunks(1, 1000, 100)) {
    it(`seeds ${lo}-${hi}`, () => {
      expect(runSeeds(lo, hi, stepsFromEnv())).toHaveLength(hi - lo + 1);
    });
  }
});

describe.runIf(only !== null)('raft simulation, DTF_SIM_SEED', () => {
  it(`seed ${only}`, () => {
    const result = runSeed({ seed: only!, steps: stepsFromEnv(), trace: true });
    console.log(result);
  });
});
