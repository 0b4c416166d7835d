import {
  type CandidateWorker,
  PlacementError,
  type PlacementOptions,
  placeStages,
  type StagePlacement,
} from '../placement/place-stages.js';

/**
 * How a run goes on when a stage's worker is lost. `immediate`: only the lost stage moves, to a
 * free eligible worker if there is one, else beside another stage. `progressive`: the lost
 * stage moves to a free eligible worker if one turns up within a bound, else the rest of the
 * run is re-planned into fewer stages. `coordinated`: the pipeline stops, and what is left of
 * every micro-batch is re-planned over the workers alive, from the activations committed.
 */
export type RecoveryStrategy = 'immediate' | 'progressive' | 'coordinated';

/** A stage left without its worker. */
export interface LostStage {
  generation: number;
  stage: number;
  costFlops: number;
  memoryBytes: number;
  taskIds: string[];
}

export type RecoveryDecision =
  | { type: 'move'; generation: number; to: StagePlacement; taskIds: string[] }
  | { type: 'wait'; why: string }
  | { type: 'replan'; stages: number; why: string }
  /** No live worker could take a lost stage for the whole placement bound: the run ends. */
  | { type: 'fail'; why: string };

export interface RecoveryContext {
  strategy: RecoveryStrategy;
  lost: readonly LostStage[];
  /** Live workers that may take stages; the lost ones are not among them. */
  workers: readonly CandidateWorker[];
  /** Workers holding stages that still have work, with the memory those stages need. */
  held: ReadonlyMap<string, number>;
  placement: PlacementOptions;
  /** Stages of the plan the lost stages belong to. */
  plannedStages: number;
  /** Milliseconds since the loss was seen, against the bounds below. */
  waitedMs: number;
  /** How long a progressive recovery waits for a free eligible worker before it re-plans. */
  waitBoundMs: number;
  /** How long a lost stage may find no live worker able to take it before the run fails. */
  placementBoundMs: number;
}

/** Where the stage would go among `workers`, or why none of them can take it. */
function tryPlace(
  stage: LostStage,
  workers: readonly CandidateWorker[],
  context: RecoveryContext,
): { placed: StagePlacement } | { refused: string } {
  try {
    const demand = {
      index: stage.stage,
      costFlops: stage.costFlops,
      memoryBytes: stage.memoryBytes,
    };
    return { placed: placeStages([demand], workers, context.placement).stages[0]! };
  } catch (error) {
    if (error instanceof PlacementError) return { refused: error.message };
    throw error;
  }
}

/** The run ends once a stage has found no worker able to take it for the whole bound. */
function waitOrFail(context: RecoveryContext, why: string): RecoveryDecision {
  if (context.waitedMs < context.placementBoundMs) return { type: 'wait', why };
  return {
    type: 'fail',
    why: `no live worker could take the stage for ${context.placementBoundMs} ms: ${why}`,
  };
}

/**
 * What to do about the lost stages: pure, so each strategy's choices are tested without a
 * coordinator. Free workers are those holding no stage with work left; a stage placed beside
 * others fits in what their memory leaves of the worker's budget.
 */
export function decideRecovery(context: RecoveryContext): RecoveryDecision[] {
  const alive = context.workers.length;
  if (alive === 0) {
    const stages = context.lost.map((stage) => stage.stage);
    const waiting =
      stages.length === 1 ? `stage ${stages[0]} waits` : `stages ${stages.join(', ')} wait`;
    return [waitOrFail(context, `${waiting} for a live worker: none is connected`)];
  }
  if (context.strategy === 'coordinated') {
    return [
      {
        type: 'replan',
        stages: Math.max(1, Math.min(context.plannedStages, alive)),
        why: 'coordinated recovery: the pipeline stops and what is left is planned again over the workers alive',
      },
    ];
  }
  const held = new Map(context.held);
  const decisions: RecoveryDecision[] = [];
  for (const stage of context.lost) {
    const free = context.workers.filter((worker) => !held.has(worker.id));
    let choice = free.length === 0 ? undefined : tryPlace(stage, free, context);
    if ((choice === undefined || 'refused' in choice) && context.strategy === 'immediate') {
      const beside = context.workers.map((worker) => ({
        ...worker,
        heldBytes: held.get(worker.id) ?? 0,
      }));
      choice = tryPlace(stage, beside, context);
    }
    if (choice !== undefined && 'placed' in choice) {
      const { workerId } = choice.placed;
      held.set(workerId, (held.get(workerId) ?? 0) + stage.memoryBytes);
      decisions.push({
        type: 'move',
        generation: stage.generation,
        to: choice.placed,
        taskIds: stage.taskIds,
      });
      continue;
    }
    if (context.strategy === 'progressive') {
      if (context.waitedMs >= context.waitBoundMs) {
        return [
          {
            type: 'replan',
            stages: Math.max(1, Math.min(context.plannedStages - context.lost.length, alive)),
            why: `progressive recovery: no eligible worker was free within ${context.waitBoundMs} ms, so what is left runs in fewer stages`,
          },
        ];
      }
      decisions.push({
        type: 'wait',
        why: `stage ${stage.stage} waits up to ${context.waitBoundMs} ms for a free eligible worker`,
      });
      continue;
    }
    const refused = choice === undefined ? 'no live worker' : choice.refused;
    decisions.push(waitOrFail(context, refused));
  }
  return decisions;
}
