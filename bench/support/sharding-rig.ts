import { pino } from 'pino';
import { type FoundBrowser, type Pool, startPool } from '../../browser-worker/pool/index.js';
import { workerLostReporter } from '../../cli/worker-lost-reporter.js';
import { DtfClient, workerPageUrl } from '../../client/index.js';
import { MAX_QUERY_LIMIT, type TaskView } from '../../protocol/index.js';
import type { PreparedModel } from '../../sharding/run/prepare-model.js';
import type { RecoveryStrategy } from '../../sharding/run/recovery.js';
import { ShardedRun, type ShardedRunResult } from '../../sharding/run/sharded-run.js';
import { untilBrowserWorkers } from './browser-workers.js';
import { type CoordinatorProcess, withCoordinatorProcess } from './coordinator-process.js';
import { withDeadline } from './deadline.js';
import { PinnedPlacement } from './pinned-placement.js';

/** A coordinator process, browsers from a pool registered as its workers, and a client. */
export interface ShardingRig {
  coordinator: CoordinatorProcess;
  pool: Pool;
  client: DtfClient;
  /** Browser workers the pool keeps. */
  browsers: number;
}

export interface RigBrowsers {
  chromium: FoundBrowser;
  firefox: FoundBrowser;
  chromiumCount: number;
  firefoxCount: number;
}

const silent = pino({ level: 'silent' });

/**
 * Runs `fn` with a coordinator process (as `dtf coordinator` starts it) and a pool of headless
 * browsers registered as its workers, which tells the coordinator at once of a browser that dies
 * (as `dtf pool` does); stops them all afterwards.
 */
export function withShardingRig<T>(
  browsers: RigBrowsers,
  fn: (rig: ShardingRig) => Promise<T>,
): Promise<T> {
  return withCoordinatorProcess([], async (coordinator) => {
    const count = browsers.chromiumCount + browsers.firefoxCount;
    const pool = await startPool({
      workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
      browsers: [
        ...(browsers.chromiumCount > 0
          ? [{ name: 'chromium' as const, count: browsers.chromiumCount }]
          : []),
        { name: 'firefox', count: browsers.firefoxCount },
      ],
      driver: 'puppeteer',
      executables: [browsers.chromium, browsers.firefox],
      // The figures are of wasm: no WebGPU on SwiftShader beside it.
      softwareWebGpu: false,
      logger: silent,
      onWorkerLost: workerLostReporter([coordinator.url], coordinator.workerToken, silent),
    });
    let client: DtfClient | undefined;
    try {
      await untilBrowserWorkers(coordinator, pool, count);
      client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
      return await fn({ coordinator, pool, client, browsers: count });
    } finally {
      await client?.close();
      await pool.stop();
    }
  });
}

/** Seeds of one run's inputs lie this far from the last run's, past every micro-batch's stride. */
const RUN_SEED_STRIDE = 1_000_003;

/**
 * The prepared model with inputs seeded afresh for run `run`: activations are content-addressed
 * and served as immutable, so a run fed the same inputs as an earlier one would find its
 * activations in the browsers' HTTP caches and time no transfer.
 */
function reseeded(prepared: PreparedModel, run: number): PreparedModel {
  const inputs = Object.fromEntries(
    Object.entries(prepared.model.inputs).map(([name, input]) => [
      name,
      input.seed === undefined ? input : { ...input, seed: input.seed + RUN_SEED_STRIDE * run },
    ]),
  );
  return { ...prepared, model: { ...prepared.model, inputs } };
}

/** A sharded run that ended, with its tasks as the coordinator recorded them. */
export interface FinishedRun {
  result: ShardedRunResult;
  tasks: TaskView[];
}

interface RigRunOptions {
  prepared: PreparedModel;
  microBatches: number;
  recovery: RecoveryStrategy;
  /** The group of the run's tasks. */
  run: string;
  /** Places the stages (see `ShardedRunOptions.place`). */
  place: PinnedPlacement['place'];
  /** Lines about placements and recoveries (not every commit). */
  progress(line: string): void;
}

const RUN_DEADLINE_MS = 300_000;

/** Runs the prepared model sharded on the rig's browsers, on wasm, and reads back its tasks. */
async function runSharded(rig: ShardingRig, options: RigRunOptions): Promise<FinishedRun> {
  const result = await withDeadline(
    `sharded run ${options.run}`,
    RUN_DEADLINE_MS,
    new ShardedRun({
      client: rig.client,
      token: rig.coordinator.adminKey,
      prepared: options.prepared,
      backends: ['wasm'],
      microBatches: options.microBatches,
      recovery: options.recovery,
      run: options.run,
      place: options.place,
      progress: (line) => {
        if (!line.startsWith('committed ') && !line.includes(' MB stored')) options.progress(line);
      },
    }).execute(),
  );
  if (result.committedTwice > 0) {
    throw new Error(`run ${options.run} committed work twice (${result.committedTwice} nodes)`);
  }
  const tasks = await rig.client.query({ group: options.run, limit: MAX_QUERY_LIMIT });
  if (tasks.length === MAX_QUERY_LIMIT) throw new Error(`run ${options.run} has too many tasks`);
  return { result, tasks };
}

/**
 * The runs of a benchmark on a rig: each with inputs seeded afresh, a group of its own, and the
 * stages of each plan where its first run placed them (see `PinnedPlacement`).
 */
export class RigRuns {
  private count = 0;
  private readonly placement = new PinnedPlacement();

  constructor(
    readonly rig: ShardingRig,
    private readonly progress: (line: string) => void,
  ) {}

  /** The group of the next run, for following it before it starts. */
  nextGroup(label: string): string {
    this.count++;
    return `bench-${label}-${this.count}`;
  }

  /** Runs `prepared` on wasm with immediate recovery; `quiet` keeps its placement lines back. */
  run(
    prepared: PreparedModel,
    microBatches: number,
    label: string,
    { quiet = false, group = this.nextGroup(label) } = {},
  ): Promise<FinishedRun> {
    return runSharded(this.rig, {
      prepared: reseeded(prepared, this.count),
      microBatches,
      recovery: 'immediate',
      run: group,
      place: this.placement.place,
      progress: (line) => {
        if (!quiet) this.progress(`${label}: ${line}`);
      },
    });
  }
}
