import { describe, expect, it } from 'vitest';
import { binLoad, makespanLowerBound, packLongestFirst } from '../../../../cli/discover/pack.js';

const items = (...ms: number[]) => ms.map((m, i) => ({ key: `f${i}`, ms: m }));

describe('packLongestFirst', () => {
  it('gives each item, longest first, to the bin with the least work', () => {
    const bins = packLongestFirst(items(1, 7, 3, 5, 4), 2);
    expect(bins.map((bin) => bin.map((item) => item.ms))).toEqual([
      [7, 3],
      [5, 4, 1],
    ]);
  });

  it('keeps every item exactly once and makes no empty bin', () => {
    const given = items(5, 1, 1);
    const bins = packLongestFirst(given, 8);
    expect(bins).toHaveLength(3);
    expect(bins.flat().sort((a, b) => a.key.localeCompare(b.key))).toEqual(given);
    expect(packLongestFirst([], 4)).toEqual([]);
  });

  it('packs the same items the same way whatever order they come in', () => {
    const given = items(3, 3, 3, 2, 2, 2);
    const reversed = [...given].reverse();
    expect(packLongestFirst(reversed, 3)).toEqual(packLongestFirst(given, 3));
  });

  it('stays within 4/3 of the lower bound on skewed durations', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const given = items(...Array.from({ length: 40 }, () => Math.round(1_000 * random() ** 4)));
      const bins = packLongestFirst(given, 4);
      const makespan = Math.max(...bins.map(binLoad));
      expect(makespan).toBeLessThanOrEqual((4 / 3) * makespanLowerBound(given, 4) + 1e-9);
    }
  });
});

describe('makespanLowerBound', () => {
  it('is the longest item or the even share, whichever is more', () => {
    expect(makespanLowerBound(items(10, 1, 1), 2)).toBe(10);
    expect(makespanLowerBound(items(3, 3, 3, 3), 2)).toBe(6);
  });
});
