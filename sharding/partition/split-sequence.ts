import type { SequenceCuts } from './cut-crossings.js';

/**
 * A plan may be this much (5 %) less balanced than the best balance if that lets fewer
 * activation bytes cross its cuts.
 */
export const BALANCE_TOLERANCE = 0.05;

/** What splitting a sequence of nodes into contiguous stages weighs. */
export interface SplitInput {
  /** The cost of each position's node (FLOPs, or measured time). */
  costs: readonly number[];
  cuts: SequenceCuts;
  /**
   * What a stage pays, in the unit of `costs`, per byte crossing the cut at its start or at its
   * end: it decodes and checks what it reads, hashes and encodes what it hands on.
   */
  byteCost: number;
  /**
   * Under a memory budget: per start, the largest end for which the stage [start, end) fits.
   * Absent: no budget.
   */
  fitsUntil?: Int32Array | undefined;
}

/** A split: stage i is positions [bounds[i], bounds[i + 1]). */
export interface Split {
  bounds: number[];
  /** The cost of its costliest stage, the bytes it hands on included. */
  bottleneck: number;
}

/**
 * What a stage [start, end) costs: its nodes alone (what each costs in `costs`), and with the
 * bytes across its two cuts.
 */
interface StageCosts {
  nodes(start: number, end: number): number;
  total(start: number, end: number): number;
}

function stageCosts({ costs, cuts, byteCost }: SplitInput): StageCosts {
  const sums = new Float64Array(costs.length + 1);
  costs.forEach((cost, i) => {
    sums[i + 1] = sums[i]! + cost;
  });
  const nodes = (start: number, end: number) => sums[end]! - sums[start]!;
  return {
    nodes,
    total: (start, end) => nodes(start, end) + byteCost * (cuts.bytes[start]! + cuts.bytes[end]!),
  };
}

/** Whether [start, end) may be a stage: its start is a cut allowed there, and it fits. */
function mayBeStage({ cuts, fitsUntil }: SplitInput, start: number, end: number): boolean {
  return (
    (start === 0 || cuts.allowed[start]!) && (fitsUntil === undefined || fitsUntil[start]! >= end)
  );
}

/** The fewest and the most stages the sequence splits into under the cuts and the budget. */
export function stageCountRange(input: SplitInput): { fewest: number; most: number } | undefined {
  const length = input.costs.length;
  const fewest = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
  const most = new Float64Array(length + 1).fill(Number.NEGATIVE_INFINITY);
  fewest[0] = 0;
  most[0] = 0;
  for (let end = 1; end <= length; end++) {
    for (let start = end - 1; start >= 0; start--) {
      if (!Number.isFinite(fewest[start]!) || !mayBeStage(input, start, end)) continue;
      fewest[end] = Math.min(fewest[end]!, fewest[start]! + 1);
      most[end] = Math.max(most[end]!, most[start]! + 1);
    }
  }
  if (!Number.isFinite(fewest[length]!)) return undefined;
  return { fewest: fewest[length]!, most: most[length]! };
}

/**
 * Splits the sequence into `stages` contiguous stages, or undefined when no split meets the
 * cuts and the budget. A stage costs its nodes plus the handling of the activation bytes that
 * cross its two cuts (`byteCost`). Two passes of dynamic programming over the cut positions:
 * the first finds the smallest possible cost of the costliest stage (the bottleneck of a
 * pipeline); the second, among the splits whose every stage costs at most that ×
 * (1 + BALANCE_TOLERANCE), picks the one whose cuts are crossed by the fewest activation bytes
 * (summed over the cuts: a value read two stages on crosses two cuts). Balance comes first
 * because a pipeline runs at the pace of its slowest stage; bytes break near-ties.
 */
export function splitSequence(input: SplitInput, stages: number): Split | undefined {
  const costs = stageCosts(input);
  const best = bestBottleneck(input, stages, costs);
  if (best === undefined) return undefined;
  // Float sums of the same costs in another order can differ in the last bits.
  const bound = best * (1 + BALANCE_TOLERANCE) + 1e-9 * Math.max(1, best);
  const length = input.costs.length;
  let bytes = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
  bytes[0] = 0;
  const from: Int32Array[] = [];
  for (let stage = 1; stage <= stages; stage++) {
    const next = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
    const choice = new Int32Array(length + 1).fill(-1);
    for (let end = stage; end <= length - (stages - stage); end++) {
      for (let start = end - 1; start >= stage - 1; start--) {
        // Moving the start back only adds nodes.
        if (costs.nodes(start, end) > bound) break;
        if (costs.total(start, end) > bound) continue;
        const crossing = start === 0 ? 0 : input.cuts.bytes[start]!;
        const total = bytes[start]! + crossing;
        if (total < next[end]! && mayBeStage(input, start, end)) {
          next[end] = total;
          choice[end] = start;
        }
      }
    }
    from.push(choice);
    bytes = next;
  }
  const bounds = [length];
  for (let stage = stages - 1; stage >= 0; stage--) bounds.unshift(from[stage]![bounds[0]!]!);
  const bottleneck = bounds
    .slice(1)
    .reduce((top, end, i) => Math.max(top, costs.total(bounds[i]!, end)), 0);
  return { bounds, bottleneck };
}

/** The smallest cost of the costliest stage over every split into `stages`. */
function bestBottleneck(input: SplitInput, stages: number, costs: StageCosts): number | undefined {
  const length = input.costs.length;
  let best = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let stage = 1; stage <= stages; stage++) {
    const next = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
    for (let end = stage; end <= length - (stages - stage); end++) {
      for (let start = end - 1; start >= stage - 1; start--) {
        // Moving the start back only adds nodes.
        if (costs.nodes(start, end) >= next[end]!) break;
        const bottleneck = Math.max(best[start]!, costs.total(start, end));
        if (bottleneck < next[end]! && mayBeStage(input, start, end)) next[end] = bottleneck;
      }
    }
    best = next;
  }
  return Number.isFinite(best[length]!) ? best[length] : undefined;
}
