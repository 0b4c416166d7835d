/** Something to run with how long it is expected to take. */
export interface Weighted {
  /** Orders equal weights, so that every job that packs the same items packs them the same way. */
  key: string;
  ms: number;
}

/**
 * Longest processing time first: the items, heaviest first, each to the bin with the least work
 * so far. Its makespan is at most 4/3 of the best possible; the bins come back in the order
 * made, none empty (fewer bins than asked when there are fewer items).
 */
export function packLongestFirst<T extends Weighted>(items: readonly T[], bins: number): T[][] {
  const count = Math.max(1, Math.min(bins, items.length));
  const sorted = [...items].sort(
    (a, b) => b.ms - a.ms || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const packed: T[][] = Array.from({ length: count }, () => []);
  const loads = new Array<number>(count).fill(0);
  for (const item of sorted) {
    let lightest = 0;
    for (let i = 1; i < count; i++) if (loads[i]! < loads[lightest]!) lightest = i;
    packed[lightest]!.push(item);
    loads[lightest]! += item.ms;
  }
  return packed.filter((bin) => bin.length > 0);
}

/** No packing of `items` onto `bins` can finish before this: the longest item, or an even share. */
export function makespanLowerBound(items: readonly Weighted[], bins: number): number {
  let total = 0;
  let longest = 0;
  for (const { ms } of items) {
    total += ms;
    longest = Math.max(longest, ms);
  }
  return Math.max(longest, total / Math.max(1, bins));
}

export const binLoad = (bin: readonly Weighted[]) => bin.reduce((sum, item) => sum + item.ms, 0);
