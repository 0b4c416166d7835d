import {
  type CandidateWorker,
  type Placement,
  PlacementError,
  type PlacementOptions,
  placeStages,
  type StageDemand,
  type StagePlacement,
} from '../../sharding/placement/place-stages.js';

interface Pin {
  workerId: string;
  browser: string;
}

/** Where `stage` goes on `worker`, as `placeStages` says it. */
function onWorker(
  stage: StageDemand,
  worker: CandidateWorker,
  options: PlacementOptions,
): StagePlacement {
  const placed = placeStages([stage], [worker], options).stages[0]!;
  return { ...placed, why: `pinned for the benchmark's runs: ${placed.why}` };
}

/**
 * One placement per plan (told apart by stage count) kept across a benchmark's runs, which
 * `placeStages` alone would change as the speed history moves: each stage on a worker of its
 * own, the costliest first on the worker `placeStages` ranks first of those left. A stage whose
 * worker is gone moves to a free worker of the same browser (the one a pool relaunched) if there
 * is one. Pass `place` as a sharded run's `place`.
 */
export class PinnedPlacement {
  private readonly pins = new Map<number, Map<number, Pin>>();

  readonly place = (
    stages: readonly StageDemand[],
    workers: readonly CandidateWorker[],
    options: PlacementOptions,
  ): Placement => {
    const pins = this.pins.get(stages.length) ?? new Map<number, Pin>();
    this.pins.set(stages.length, pins);
    const live = new Map(workers.map((worker) => [worker.id, worker]));
    const taken = new Set(
      [...pins.values()].map((pin) => pin.workerId).filter((id) => live.has(id)),
    );
    const largestFirst = [...stages].sort((a, b) => b.costFlops - a.costFlops || a.index - b.index);
    const placed = largestFirst.map((stage) => {
      const pin = pins.get(stage.index);
      const worker = pin === undefined ? undefined : live.get(pin.workerId);
      if (worker !== undefined) return onWorker(stage, worker, options);
      const free = workers.filter((candidate) => !taken.has(candidate.id));
      const sameBrowser = free.filter((candidate) => candidate.browser === pin?.browser);
      const candidates = sameBrowser.length > 0 ? sameBrowser : free;
      if (candidates.length === 0) {
        throw new PlacementError(`no worker of its own is left for stage ${stage.index}`);
      }
      const best = live.get(placeStages([stage], candidates, options).stages[0]!.workerId)!;
      pins.set(stage.index, { workerId: best.id, browser: best.browser });
      taken.add(best.id);
      return onWorker(stage, best, options);
    });
    placed.sort((a, b) => a.stage - b.stage);
    return { stages: placed, bottleneckMs: Math.max(...placed.map((p) => p.expectedMs)) };
  };
}
