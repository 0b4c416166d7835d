import type { DtfClient } from '../../client/index.js';
import type {
  ArtifactRef,
  ExecutionProvider,
  StageSpeeds,
  TaskEvent,
  TensorInput,
} from '../../protocol/index.js';
import type { StagePlan } from '../partition/index.js';
import type { CandidateWorker } from '../placement/place-stages.js';
import { NO_SPEEDS, speedOf } from '../placement/speeds.js';
import { stageTasks } from './stage-tasks.js';

const CALIBRATION_TIMEOUT_MS = 120_000;
/**
 * Runs on a warm session a pair gets: as many as fit in `WARM_BUDGET_MS` by its first run's
 * time, within these bounds. A fast stage is measured often (its runs are short, and a busy
 * machine moves them most); a slow one (WebGPU on a software adapter takes a second) twice.
 */
const MIN_WARM_RUNS = 2;
const MAX_WARM_RUNS = 7;
const WARM_BUDGET_MS = 500;
/** How long a pair's runs may take in all before the pair is given up. */
const CALIBRATION_BOUND_MS = 120_000;

/** The group of a run's calibration tasks. */
export function calibrationGroup(run: string): string {
  return `${run}.calibration`;
}

/** A worker and a backend it offers that no earlier run has measured. */
export interface UnmeasuredPair {
  worker: CandidateWorker;
  backend: ExecutionProvider;
}

export function unmeasuredPairs(
  workers: readonly CandidateWorker[],
  backends: readonly ExecutionProvider[],
  speeds: StageSpeeds,
): UnmeasuredPair[] {
  return workers.flatMap((worker) =>
    backends
      .filter((backend) => worker.backends.available.includes(backend))
      .filter((backend) => speedOf(speeds, worker, backend).source !== 'worker')
      .map((backend) => ({ worker, backend })),
  );
}

export interface CalibrationStage {
  plan: StagePlan;
  model: ArtifactRef;
  modelInputs: Readonly<Record<string, TensorInput>>;
}

/**
 * Runs one stage that reads only model inputs a few times on each unmeasured worker and backend, so
 * that the coordinator's speed history (folded from every succeeded stage) has a figure for
 * each before the run is placed. Returns why each pair that could not run failed, by
 * `<worker id>/<backend>`: the caller takes that backend off that worker.
 */
export async function calibrate(
  client: DtfClient,
  run: string,
  pairs: readonly UnmeasuredPair[],
  stage: CalibrationStage,
  progress: (line: string) => void,
): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  progress(
    `measuring ${pairs.length} worker/backend pair(s) no earlier run measured: ${pairs
      .map((pair) => `${pair.worker.name} ${pair.backend}`)
      .join(', ')}`,
  );
  // A few runs a pair, one after another: the history keeps only runs on a warm session, the
  // first run warms it, and the median of the others stands up to a run slowed by a busy
  // machine. One pair at a time: a pair measured beside another would share its cores.
  const failures = new Map<string, string>();
  for (const pair of pairs) {
    const failure = await measurePair(client, run, pair, stage);
    if (failure !== undefined) failures.set(`${pair.worker.id}/${pair.backend}`, failure);
  }
  return failures;
}

/** Why the pair could not run the stage, or undefined once its runs are in the history. */
async function measurePair(
  client: DtfClient,
  run: string,
  pair: UnmeasuredPair,
  stage: CalibrationStage,
): Promise<string | undefined> {
  const source = {
    run: calibrationGroup(run),
    label: 'calibration',
    generation: 0,
    stages: [stage.plan],
    models: { [stage.plan.index]: stage.model },
    placements: [
      {
        stage: stage.plan.index,
        workerId: pair.worker.id,
        workerName: pair.worker.name,
        backend: pair.backend,
        expectedMs: 0,
        speed: speedOf(NO_SPEEDS, pair.worker, pair.backend),
        why: 'calibration',
      },
    ],
    modelInputs: stage.modelInputs,
    ...(pair.worker.backends.webnnDeviceType === undefined
      ? {}
      : { webnnDeviceType: pair.worker.backends.webnnDeviceType }),
    maxRetries: 1,
    timeoutMs: CALIBRATION_TIMEOUT_MS,
  };
  const cold = await runChain(client, source, 0, 1);
  if ('failure' in cold) return cold.failure;
  const warmRuns = Math.min(
    MAX_WARM_RUNS,
    Math.max(MIN_WARM_RUNS, Math.ceil(WARM_BUDGET_MS / Math.max(cold.runMs[0]!, 1))),
  );
  const warm = await runChain(client, source, 1, warmRuns);
  return 'failure' in warm ? warm.failure : undefined;
}

/** Runs the calibration stage on micro-batches `first`… one after another; their run times. */
async function runChain(
  client: DtfClient,
  source: Parameters<typeof stageTasks>[0],
  first: number,
  count: number,
): Promise<{ runMs: number[] } | { failure: string }> {
  const specs = Array.from({ length: count }, (_, i) => stageTasks(source, first + i)[0]!);
  for (let i = 1; i < specs.length; i++) {
    specs[i] = { ...specs[i]!, dependsOn: [specs[i - 1]!.ref!] };
  }
  const taskIds = await client.submit(specs);
  const outcome = await calibrationRuns(client, taskIds);
  if ('abandoned' in outcome) {
    await client.cancel({ taskIds });
    return { failure: outcome.abandoned };
  }
  const failed = outcome.ended.find((event) => event.state !== 'succeeded');
  if (failed !== undefined) {
    return { failure: `${failed.state}: ${failed.result?.error ?? failed.reason ?? failed.state}` };
  }
  return {
    runMs: outcome.ended.map((event) => {
      const output = event.result?.output;
      return output?.kind === 'shard-stage' ? output.timings.runMs : 0;
    }),
  };
}

/**
 * The end of every calibration run, or why they are given up first: a run lost its attempt
 * (its worker died, say: its tasks name that worker, so the rest would wait for it for good),
 * or they have not all ended within the bound.
 */
async function calibrationRuns(
  client: DtfClient,
  taskIds: readonly string[],
): Promise<{ ended: TaskEvent[] } | { abandoned: string }> {
  let timer: NodeJS.Timeout | undefined;
  let giveUp = (_why: string) => {};
  const abandoned = new Promise<{ abandoned: string }>((resolve) => {
    giveUp = (why) => resolve({ abandoned: why });
    timer = setTimeout(
      () =>
        giveUp(
          `its ${taskIds.length} calibration run(s) did not end within ${CALIBRATION_BOUND_MS} ms`,
        ),
      CALIBRATION_BOUND_MS,
    );
  });
  const states = new Map<string, TaskEvent['state']>();
  const ended = client.waitFor(
    { taskIds },
    {
      onEvent: (event) => {
        const before = states.get(event.taskId);
        states.set(event.taskId, event.state);
        if (event.state === 'queued' && (before === 'assigned' || before === 'running')) {
          giveUp(`a calibration run lost its attempt: ${event.reason ?? 'no reason given'}`);
        }
      },
    },
  );
  try {
    return await Promise.race([ended.then((events) => ({ ended: events })), abandoned]);
  } finally {
    clearTimeout(timer);
    // Cancelled by the caller when given up, so this wait ends as well.
    ended.catch(() => {});
  }
}
