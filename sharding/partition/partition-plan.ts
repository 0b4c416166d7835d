import type { TensorType } from '../../protocol/index.js';

/** A tensor passed into or out of a stage. */
export interface TensorInfo {
  name: string;
  type: TensorType;
  dims: number[];
  bytes: number;
}

export type PartitionStrategy = 'pipeline' | 'component';

export interface PartitionOptions {
  /**
   * How many stages. Absent: the fewest that fit `budgetBytes`; without a budget, one for a
   * pipeline and one per branch (and join) for a component plan.
   */
  stages?: number | undefined;
  /** The most memory one stage may need (weights + activations, see `StagePlan`), in bytes. */
  budgetBytes?: number | undefined;
  /**
   * `pipeline`: contiguous stages in topological order. `component`: the graph's independent
   * branches (towers from different graph inputs) apart, then their join; a branch is split
   * further when the stage count or the budget asks. `auto` (the default): component when
   * the graph has such branches and the stage count (if given) is at least their number,
   * pipeline otherwise, or where the branches cannot be run apart within the budget.
   */
  strategy?: PartitionStrategy | 'auto' | undefined;
  /**
   * Measured milliseconds per node name (from earlier runs): they replace the FLOP estimate
   * as the cost stages are balanced by.
   */
  nodeTimesMs?: Readonly<Record<string, number>> | undefined;
  /**
   * What a stage pays per activation byte crossing its cuts, in FLOPs (`HANDLING_FLOPS_PER_BYTE`
   * when absent; 0 balances compute alone).
   */
  handlingFlopsPerByte?: number | undefined;
}

/** One stage: a standalone model of some of the graph's nodes. */
export interface StagePlan {
  index: number;
  /** In a component plan: the branch (a graph input's name), `join` or `shared`. */
  branch?: string;
  /** Node names, in the order they run. */
  nodes: string[];
  /** How many nodes of each op type. */
  ops: Record<string, number>;
  /** Bytes of the initializers its nodes read. */
  weightBytes: number;
  /**
   * Estimated peak bytes of activations: its inputs for the whole run, plus the most bytes
   * of values it has produced and still needs at any one node (no in-place reuse assumed).
   */
  activationBytes: number;
  /** Estimated floating-point operations of one run. */
  costFlops: number;
  /** What the stages were balanced by, in the plan's `costUnit`. */
  cost: number;
  /** The values it reads from other stages and the graph inputs it reads, in order of use. */
  inputs: TensorInfo[];
  /** The values other stages read and the graph outputs it produces, in order of production. */
  outputs: TensorInfo[];
  /** The stages whose outputs it reads, ascending. */
  dependsOn: number[];
}

/** The tensors one stage hands to another. */
export interface StageCut {
  from: number;
  to: number;
  tensors: TensorInfo[];
  bytes: number;
}

export interface PartitionPlan {
  /** The graph's name. */
  model: string;
  strategy: PartitionStrategy;
  /** `ms` when measured node times were given, else `flops`. */
  costUnit: 'flops' | 'ms';
  budgetBytes?: number;
  /** In an order where every stage comes after those it depends on. */
  stages: StagePlan[];
  /** Every pair of stages where one reads the other's outputs. */
  cuts: StageCut[];
  totals: {
    nodes: number;
    weightBytes: number;
    costFlops: number;
    cost: number;
    /** Bytes handed between stages per run, summed over the cuts. */
    crossingBytes: number;
    /** The cost of the costliest stage: what a pipeline's pace is bound by. */
    largestStageCost: number;
    /** The most memory (weights + activations) any stage needs. */
    largestStageBytes: number;
  };
}
