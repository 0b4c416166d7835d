import type { ExecutionProvider, StageSpeeds } from '../../protocol/index.js';
import { type SpeedEstimate, speedOf } from './speeds.js';
import type { WorkerBackends } from './worker-backends.js';

/** What placing a stage needs to know of it: its work, its memory and its place in the DAG. */
export interface StageDemand {
  index: number;
  costFlops: number;
  /** Weights plus activations: what the stage holds in memory while it runs. */
  memoryBytes: number;
}

/** A live worker that may take stages. */
export interface CandidateWorker {
  id: string;
  name: string;
  /** The browser's name, or `node` for a Node worker. */
  browser: string;
  backends: WorkerBackends;
  /** The most stage memory it may hold. */
  budgetBytes: number;
  /** Memory of stages it holds already, which new ones are placed beside (in a recovery). */
  heldBytes?: number;
}

export interface PlacementOptions {
  /** Backends the run allows, best first: a tie in expected time goes to the earlier one. */
  backends: readonly ExecutionProvider[];
  speeds: StageSpeeds;
}

/** Where one stage runs, and why there. */
export interface StagePlacement {
  stage: number;
  workerId: string;
  workerName: string;
  backend: ExecutionProvider;
  expectedMs: number;
  speed: SpeedEstimate;
  /** One sentence: the choice and the runners-up, with their expected times. */
  why: string;
}

export interface Placement {
  stages: StagePlacement[];
  /** The busiest worker's expected time per micro-batch: what bounds the pipeline's throughput. */
  bottleneckMs: number;
}

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

interface Option {
  worker: CandidateWorker;
  backend: ExecutionProvider;
  expectedMs: number;
  speed: SpeedEstimate;
}

const MB = 1024 * 1024;

/** How much longer a stage may be expected to take on a worker of its own than beside another. */
export const SPREAD_MARGIN = 0.5;

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/** Why the worker can take none of the stage's backends, or undefined when it can take one. */
function refusal(
  worker: CandidateWorker,
  backends: readonly ExecutionProvider[],
  memoryBytes: number,
  freeBytes: number,
): string | undefined {
  const usable = backends.filter((backend) => worker.backends.available.includes(backend));
  if (usable.length === 0) {
    const reasons = backends.map((b) => `${b}: ${worker.backends.unavailable[b] ?? 'not offered'}`);
    return `${worker.name}: ${reasons.join('; ')}`;
  }
  if (memoryBytes > freeBytes) {
    const held = worker.budgetBytes - freeBytes;
    const already = held > 0 ? ` (${megabytes(held)} of it taken by earlier stages)` : '';
    return `${worker.name}: needs ${megabytes(memoryBytes)}, budget ${megabytes(worker.budgetBytes)}${already}`;
  }
  return undefined;
}

function describe(option: Option): string {
  const measured =
    option.speed.source === 'none'
      ? 'unmeasured'
      : `${option.speed.msPerGflop.toFixed(1)} ms/GFLOP over ${option.speed.samples} runs of this ${option.speed.source}`;
  return `${option.worker.name} on ${option.backend} ≈${option.expectedMs.toFixed(1)} ms (${measured})`;
}

/**
 * Places stages on workers so that the busiest worker's expected time per micro-batch, which
 * bounds the pipeline's throughput, is as small as it can be found: largest stage first, each on
 * the worker and backend where its worker's load ends up least (longest-processing-time first),
 * unless a worker with no stage yet does within `SPREAD_MARGIN` of that, so that stages run side
 * by side. A worker's budget
 * bounds the memory of all the stages it holds. Pure: the same inputs give the same placement.
 */
export function placeStages(
  stages: readonly StageDemand[],
  workers: readonly CandidateWorker[],
  options: PlacementOptions,
): Placement {
  if (workers.length === 0) throw new PlacementError('no live worker can take stages');
  const load = new Map(workers.map((worker) => [worker.id, 0]));
  const free = new Map(
    workers.map((worker) => [worker.id, worker.budgetBytes - (worker.heldBytes ?? 0)]),
  );
  const held = new Map(workers.map((worker) => [worker.id, 0]));
  const placed: StagePlacement[] = [];
  const largestFirst = [...stages].sort((a, b) => b.costFlops - a.costFlops || a.index - b.index);
  for (const stage of largestFirst) {
    const choices: Option[] = [];
    const refusals: string[] = [];
    for (const worker of workers) {
      const why = refusal(worker, options.backends, stage.memoryBytes, free.get(worker.id)!);
      if (why !== undefined) {
        refusals.push(why);
        continue;
      }
      for (const backend of options.backends) {
        if (!worker.backends.available.includes(backend)) continue;
        const speed = speedOf(options.speeds, worker, backend);
        choices.push({
          worker,
          backend,
          speed,
          expectedMs: (stage.costFlops / 1e9) * speed.msPerGflop,
        });
      }
    }
    if (choices.length === 0) {
      throw new PlacementError(
        `stage ${stage.index} (${megabytes(stage.memoryBytes)}) fits no worker: ${refusals.join('; ')}`,
      );
    }
    const rank = (option: Option) => load.get(option.worker.id)! + option.expectedMs;
    choices.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        held.get(a.worker.id)! - held.get(b.worker.id)! ||
        options.backends.indexOf(a.backend) - options.backends.indexOf(b.backend) ||
        a.worker.id.localeCompare(b.worker.id),
    );
    // A worker of its own is worth a little expected time: measured speeds carry noise, and two
    // stages on one worker cannot overlap, whatever the figures say.
    const firstAlone = choices.findIndex((option) => held.get(option.worker.id) === 0);
    if (firstAlone > 0 && rank(choices[firstAlone]!) <= rank(choices[0]!) * (1 + SPREAD_MARGIN)) {
      choices.unshift(...choices.splice(firstAlone, 1));
    }
    const [best, ...others] = choices as [Option, ...Option[]];
    load.set(best.worker.id, rank(best));
    free.set(best.worker.id, free.get(best.worker.id)! - stage.memoryBytes);
    held.set(best.worker.id, held.get(best.worker.id)! + 1);
    const runnersUp = others.slice(0, 2).map(describe);
    const sharing = held.get(best.worker.id)! > 1 ? ', sharing the worker with another stage' : '';
    placed.push({
      stage: stage.index,
      workerId: best.worker.id,
      workerName: best.worker.name,
      backend: best.backend,
      expectedMs: best.expectedMs,
      speed: best.speed,
      why:
        `${describe(best)}${sharing}` +
        (runnersUp.length > 0 ? `; next best: ${runnersUp.join(', ')}` : '') +
        (refusals.length > 0 ? `; not eligible: ${refusals.join('; ')}` : ''),
    });
  }
  placed.sort((a, b) => a.stage - b.stage);
  return { stages: placed, bottleneckMs: Math.max(...load.values()) };
}
