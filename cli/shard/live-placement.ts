import { type ExecutionProvider, RestWorkersResponse, StageSpeeds } from '../../protocol/index.js';
import type { PartitionPlan } from '../../sharding/partition/index.js';
import {
  type CandidateWorker,
  type Placement,
  placeStages,
  type SpeedSource,
  speedOf,
  stageDemands,
} from '../../sharding/placement/index.js';
import { stageCandidates, unmeasuredPairs } from '../../sharding/run/index.js';
import { type CoordinatorAccess, restGetFromAny } from '../connection.js';

/** A worker and backend no run has timed on that worker: a run measures it before it places. */
export interface UnmeasuredPair {
  workerId: string;
  worker: string;
  backend: ExecutionProvider;
  /** `browser`: the placement used the history of the worker's browser; `none`: no history. */
  speedSource: Exclude<SpeedSource, 'worker'>;
}

/** Where a plan's stages would go on the coordinator's live workers now, and why. */
export interface LivePlacement extends Placement {
  backends: ExecutionProvider[];
  /** The connected workers that take stages, as the planner saw them. */
  workers: CandidateWorker[];
  unmeasured: UnmeasuredPair[];
}

/**
 * Places a plan's stages on the coordinator's live workers by their backends, memory and the
 * speed history it keeps (`GET /api/workers`, `GET /api/shard/speeds`), as a run would, but
 * measures nothing: pairs without history of their own are listed instead. Throws the planner's
 * `PlacementError` when a stage fits no worker.
 */
export async function placeOnLiveWorkers(
  access: CoordinatorAccess,
  plan: PartitionPlan,
  backends: readonly ExecutionProvider[],
  budgetBytes: number | undefined,
): Promise<LivePlacement> {
  const { workers } = RestWorkersResponse.parse(await restGetFromAny(access, '/api/workers'));
  const speeds = StageSpeeds.parse(await restGetFromAny(access, '/api/shard/speeds'));
  const candidates = stageCandidates(workers, budgetBytes);
  const placement = placeStages(stageDemands(plan), candidates, { backends, speeds });
  const unmeasured = unmeasuredPairs(candidates, backends, speeds).map(
    ({ worker, backend }): UnmeasuredPair => ({
      workerId: worker.id,
      worker: worker.name,
      backend,
      speedSource: speedOf(speeds, worker, backend).source === 'browser' ? 'browser' : 'none',
    }),
  );
  return { ...placement, backends: [...backends], workers: candidates, unmeasured };
}
