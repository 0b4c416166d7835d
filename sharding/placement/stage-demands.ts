import type { PartitionPlan } from '../partition/index.js';
import type { StageDemand } from './place-stages.js';

/** What placing each stage of a plan needs to know: its cost and its memory. */
export function stageDemands(plan: PartitionPlan): StageDemand[] {
  return plan.stages.map((stage) => ({
    index: stage.index,
    costFlops: stage.costFlops,
    memoryBytes: stage.weightBytes + stage.activationBytes,
  }));
}
