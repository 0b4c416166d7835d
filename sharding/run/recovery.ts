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
  | { type: 'replan'; stages: number; why: string };

export interface RecoveryContext {
  strategy: RecoveryStrategy;
  lost: readonly LostStage[];
  /** Live workers that may take stages; the lost ones are not among them. */
  workers: readonly CandidateWorker[];
  /** Workers holding a stage that still has work. */
  busy: ReadonlySet<string>;
  placement: PlacementOptions;
  /** Stages of the plan the lost stages belong to. */
  plannedStages: number;
  /** Milliseconds since the loss was seen, against the bound a progressive run waits. */
  waitedMs: number;
  waitBoundMs: number;
}

function tryPlace(
  stage: LostStage,
  workers: readonly CandidateWorker[],
  context: RecoveryContext,
): StagePlacement | undefined {
  if (workers.length === 0) return undefined;
  try {
    const demand = {
      index: stage.stage,
      costFlops: stage.costFlops,
      memoryBytes: stage.memoryBytes,
    };
    return placeStages([demand], workers, context.placement).stages[0];
  } catch (error) {
    if (error instanceof PlacementError) return undefined;
    throw error;
  }
}

/**
 * What to do about the lost stages: pure, so each strategy's choices are tested without a
 * coordinator. Free workers are those holding no stage with work left.
 */
export function decideRecovery(context: RecoveryContext): RecoveryDecision[] {
  const alive = context.workers.length;
  if (context.strategy === 'coordinated') {
    return [
      {
        type: 'replan',
        stages: Math.max(1, Math.min(context.plannedStages, alive)),
        why: 'coordinated recovery: the pipeline stops and what is left is planned again over the workers alive',
      },
    ];
  }
  const taken = new Set(context.busy);
  const decisions: RecoveryDecision[] = [];
  for (const stage of context.lost) {
    const free = context.workers.filter((worker) => !taken.has(worker.id));
    const onFree = tryPlace(stage, free, context);
    const placed =
      onFree ??
      (context.strategy === 'immediate' ? tryPlace(stage, context.workers, context) : undefined);
    if (placed !== undefined) {
      taken.add(placed.workerId);
      decisions.push({
        type: 'move',
        generation: stage.generation,
        to: placed,
        taskIds: stage.taskIds,
      });
      continue;
    }
    if (
      context.strategy === 'progressive' &&
      context.waitedMs >= context.waitBoundMs &&
      alive > 0
    ) {
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
      why:
        context.strategy === 'progressive'
          ? `stage ${stage.stage} waits up to ${context.waitBoundMs} ms for a free eligible worker`
          : `stage ${stage.stage} waits for a worker that can take it`,
    });
  }
  return decisions;
}
