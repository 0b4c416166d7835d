import { describe, expect, it } from 'vitest';
import { chunks, runSeeds, seedFromEnv, stepsFromEnv } from './seeds.js';

describe.skipIf(seedFromEnv() !== null)('raft simulation, seeds 1001-2000', () => {
  for (const [lo, hi] of chunks(1001, 2000, 100)) {
    it(`seeds ${lo}-${hi}`, () => {
      expect(runSeeds(lo, hi, stepsFromEnv())).toHaveLength(hi - lo + 1);
    });
  }
});
