import type { NodeGroup } from './branches.js';
import { sequenceCuts } from './cut-crossings.js';
import type { PlanContext } from './describe-stages.js';
import { isExchangeable } from './element-types.js';
import { PartitionError } from './errors.js';
import { megabytes } from './megabytes.js';
import { NodeSequence } from './node-sequence.js';
import { type Split, type SplitInput, splitSequence, stageCountRange } from './split-sequence.js';
import { scanStageMemory } from './stage-memory.js';

/** Per start, the largest end whose stage fits the budget. */
function fitsUntil(context: PlanContext, sequence: NodeSequence, budgetBytes: number): Int32Array {
  const ends = new Int32Array(sequence.length);
  for (let start = 0; start < sequence.length; start++) {
    ends[start] = start;
    scanStageMemory(sequence, context.bytesOf, start, (end, { weightBytes, activationBytes }) => {
      if (weightBytes + activationBytes > budgetBytes) return false;
      ends[start] = end;
      return true;
    });
  }
  return ends;
}

/** One group of nodes being split: its sequence, what splitting weighs, its current split. */
export interface GroupSplit {
  name: string | undefined;
  sequence: NodeSequence;
  input: SplitInput;
  stages: number;
  /** The most stages it can be cut into. */
  most: number;
  split: Split;
}

export function prepareGroup(
  context: PlanContext,
  group: NodeGroup,
  branch: boolean,
  budgetBytes: number | undefined,
): GroupSplit {
  const sequence = new NodeSequence(context.graph, context.index, group.members);
  const exchangeable = (value: string) => isExchangeable(context.shapes.get(value)!.type);
  const { cost, perByte } = context.costs;
  const input: SplitInput = {
    // A node whose value leaves the sequence (a graph output, or read by another branch) makes
    // its stage hand that value on too.
    costs: group.members.map((node, at) => {
      const leaving = sequence.produces[at]!.filter((value) => value.leaves);
      return (
        cost[node]! + perByte * leaving.reduce((sum, { name }) => sum + context.bytesOf(name), 0)
      );
    }),
    cuts: sequenceCuts(sequence, context.bytesOf, exchangeable),
    byteCost: perByte,
    fitsUntil: budgetBytes === undefined ? undefined : fitsUntil(context, sequence, budgetBytes),
  };
  const what = branch ? `branch '${group.name}'` : 'the graph';
  const range = stageCountRange(input);
  const stages = budgetBytes === undefined ? 1 : range?.fewest;
  const split = stages === undefined ? undefined : splitSequence(input, stages);
  if (range === undefined || stages === undefined || split === undefined) {
    throw new PartitionError(
      'budget_exceeded',
      `no split of ${what} keeps every stage within ${megabytes(budgetBytes!)}: the cuts it would need pass values of types stages do not exchange (they exchange float32, int32 and int64)`,
    );
  }
  return {
    name: branch ? group.name : undefined,
    sequence,
    input,
    stages,
    most: range.most,
    split,
  };
}

/**
 * Brings the groups' stage counts up to `wanted`: a lone group (a pipeline) directly, else one
 * stage at a time to the group whose costliest stage costs most and can be cut again.
 */
export function addStages(
  groups: GroupSplit[],
  wanted: number,
  budgetBytes: number | undefined,
): void {
  const total = groups.reduce((sum, group) => sum + group.stages, 0);
  if (total > wanted) {
    throw budgetBytes === undefined
      ? new PartitionError(
          'too_few_stages',
          `a component plan runs ${groups.length} parts apart (${groups.map((g) => g.name).join(', ')}), so it needs at least ${groups.length} stages, not ${wanted}`,
        )
      : new PartitionError(
          'budget_exceeded',
          `${wanted} stage(s) cannot each fit ${megabytes(budgetBytes)}: at least ${total} are needed`,
        );
  }
  const most = groups.reduce((sum, group) => sum + group.most, 0);
  if (wanted > most) {
    const budget = budgetBytes === undefined ? '' : ` within ${megabytes(budgetBytes)} each`;
    const or = budgetBytes === undefined ? '' : ' or leave a stage over the budget';
    throw new PartitionError(
      'no_valid_cut',
      `cannot cut the graph into ${wanted} stages${budget}: at most ${most} are possible, as further cuts would pass a value of a type stages do not exchange (they exchange float32, int32 and int64)${or}`,
    );
  }
  // Only a budget can leave a count inside a group's range without a split: a stage's memory
  // can grow when its first node moves later (an input it held briefly is held throughout).
  const noSplit = () =>
    new PartitionError(
      'budget_exceeded',
      `no split of the graph into ${wanted} stages keeps every stage within ${megabytes(budgetBytes ?? 0)}`,
    );
  const lone = groups.length === 1 ? groups[0] : undefined;
  if (lone !== undefined) {
    const split = splitSequence(lone.input, wanted);
    if (split === undefined) throw noSplit();
    lone.stages = wanted;
    lone.split = split;
    return;
  }
  for (let count = total; count < wanted; count++) {
    const costliestFirst = groups
      .filter((group) => group.stages < group.most)
      .sort((a, b) => b.split.bottleneck - a.split.bottleneck);
    const chosen = costliestFirst.find((group) => {
      const split = splitSequence(group.input, group.stages + 1);
      if (split === undefined) return false;
      group.stages++;
      group.split = split;
      return true;
    });
    if (chosen === undefined) throw noSplit();
  }
}
