import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tensors/index.js';
import { changePoints } from '../../../trends/index.js';

/** Normal noise by Box-Muller from a seeded generator. */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface Synthetic {
  series: number[];
  /** The index of the first point after the injected step, if there is one. */
  step?: number;
}

/**
 * A latency-like series: a level of 10 with noise of σ = 1, one point in twenty an outlier
 * 3-8 σ up (a GC pause, a busy machine); half of them with one step of 2 to 6 σ, up or down, at
 * least 8 points from either end.
 */
function synthetic(random: () => number, withStep: boolean): Synthetic {
  const noise = gaussian(random);
  const n = 30 + Math.floor(random() * 31);
  const step = withStep ? 8 + Math.floor(random() * (n - 16)) : undefined;
  const size = (2 + random() * 4) * (random() < 0.5 ? -1 : 1);
  const series = Array.from({ length: n }, (_, i) => {
    const outlier = random() < 0.05 ? 3 + random() * 5 : 0;
    return 10 + (step !== undefined && i >= step ? size : 0) + noise() + outlier;
  });
  return step === undefined ? { series } : { series, step };
}

describe('change points', () => {
  it('finds injected steps with precision and recall of at least 0.9 over 400 series, at the default sensitivity', () => {
    const random = seededRandom(2026);
    let truePositives = 0;
    let falsePositives = 0;
    let steps = 0;
    for (let i = 0; i < 400; i++) {
      const { series, step } = synthetic(random, i % 2 === 0);
      const found = changePoints(series, { seed: i });
      if (step === undefined) {
        falsePositives += found.length;
        continue;
      }
      steps++;
      const hit = found.filter((c) => Math.abs(c.index - step) <= 2);
      if (hit.length > 0) truePositives++;
      falsePositives += found.length - Math.min(hit.length, 1);
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / steps;
    console.log(`change points: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('names where, how much and how sure; flat or too short series have none', () => {
    const series = [...Array(12).fill(10), ...Array(12).fill(15)].map((v, i) => v + (i % 3) * 0.1);
    expect(changePoints(series)).toEqual([
      {
        index: 12,
        medianBefore: 10.1,
        medianAfter: 15.1,
        relativeChange: expect.closeTo(0.495, 3),
        confidence: 0.995,
      },
    ]);
    expect(changePoints(Array(30).fill(3))).toEqual([]);
    expect(changePoints([1, 2, 9, 9])).toEqual([]);
    // The same series and seed: the same answer.
    expect(changePoints(series, { seed: 7 })).toEqual(changePoints(series, { seed: 7 }));
  });
});
