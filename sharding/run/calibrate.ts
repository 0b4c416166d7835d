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
const CALIBRATION_RUNS = 8;
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
  const specs = Array.from({ length: CALIBRATION_RUNS }, (_, b) => stageTasks(source, b)[0]!);
  for (let b = 1; b < specs.length; b++)
    specs[b] = { ...specs[b]!, dependsOn: [specs[b - 1]!.ref!] };
  const taskIds = await client.submit(specs);
  const outcome = await calibrationRuns(client, taskIds);
  if ('abandoned' in outcome) {
    await client.cancel({ taskIds });
    return outcome.abandoned;
  }
  const failed = outcome.ended.find(
    (event) => event.state !== 'succeeded' && event.state !== 'skipped',
  );
  if (failed === undefined) return undefined;
  return `${failed.state}: ${failed.result?.error ?? failed.reason ?? failed.state}`;
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
          `its ${CALIBRATION_RUNS} calibration runs did not end within ${CALIBRATION_BOUND_MS} ms`,
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
