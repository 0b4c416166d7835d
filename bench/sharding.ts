import { type FoundBrowser, findBrowsers } from '../browser-worker/pool/index.js';
import { type TestModel, transformerStack } from '../models/index.js';
import type { PartitionPlan } from '../sharding/partition/index.js';
import { type PreparedModel, prepareModel } from '../sharding/run/prepare-model.js';
import { measureBrowserTransfer } from './baselines/browser-http-transfer.js';
import { measureWsTransfer } from './baselines/ws-transfer.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, skippedFigure } from './figure.js';
import { formatBytes } from './format.js';
import { measureFigure } from './measure.js';
import { type KilledRun, killFirefoxMidRun } from './support/kill-mid-run.js';
import { measureFigures, type SetFigureSpec } from './support/measure-figures.js';
import { percentile } from './support/percentile.js';
import { type PipelineStage, predictPipeline } from './support/pipeline-prediction.js';
import {
  type FinishedRun,
  RigRuns,
  type ShardingRig,
  withShardingRig,
} from './support/sharding-rig.js';
import { replayStage } from './support/stage-replay.js';
import {
  handOffs,
  resultPeriod,
  type StageTaskTime,
  stageSpans,
  stageTaskTimes,
  transferTimes,
} from './support/stage-timeline.js';

const MODEL = 'transformer-stack';
const MODEL_SEED = 1;
const STAGES = 3;
/**
 * Positions in a micro-batch: the sample model's 16, whose stages compute 4–6 ms each, about
 * twice what a task costs around its compute; and 64, whose stages compute 4 times as long.
 */
const SHORT_SEQUENCE = 16;
const LONG_SEQUENCE = 64;

/** The model, whole and in stages, at one micro-batch length. */
interface Workload {
  /** e.g. `transformer-stack (16 tokens)` */
  label: string;
  sequence: number;
  whole: PreparedModel;
  sharded: PreparedModel;
}

/** The browsers a rig runs, as many as the stages. */
interface BrowserSet {
  label: string;
  chromiumCount: number;
  firefoxCount: number;
}

/**
 * Three Firefox run the pipeline on the engine the whole model runs on (the fastest wasm here),
 * so the ratio is the pipeline's alone; two Chromium and a Firefox show it across engines, and
 * take the transfer and recovery figures (the kill is of their one Firefox).
 */
const SAME_ENGINE: BrowserSet = { label: '3 Firefox', chromiumCount: 0, firefoxCount: 3 };
const MIXED: BrowserSet = { label: '2 Chromium + 1 Firefox', chromiumCount: 2, firefoxCount: 1 };
const SIZES = {
  /** Micro-batches of each pipelined run: enough for the pipeline to fill and run full. */
  microBatches: { quick: 8, full: 24 },
  /** One-micro-batch runs per measured run, in which each stage runs with the others idle. */
  aloneRuns: { quick: 2, full: 6 },
  /** Round trips of each raw transfer baseline per measured run. */
  transferRoundTrips: { quick: 20, full: 100 },
};
/** The recovery runs kill Firefox as it starts this share of the micro-batches of its stage. */
const KILL_AT_SHARE = 0.25;

function sized(options: BenchOptions, counts: { quick: number; full: number }): number {
  return options.quick ? counts.quick : counts.full;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Each cut must be all its producer sends and all its consumer reads, since the workers time
 * their uploads and fetches as a whole.
 */
function checkCuts(plan: PartitionPlan): void {
  for (const cut of plan.cuts) {
    const sent = plan.stages[cut.from]!.outputs.reduce((sum, t) => sum + t.bytes, 0);
    if (sent !== cut.bytes || plan.stages[cut.to]!.dependsOn.length !== 1) {
      throw new Error(
        `cut ${cut.from} → ${cut.to} is not the whole of what its stages send and read, so the workers' upload and fetch times do not time it alone`,
      );
    }
  }
}

function cutName(plan: PartitionPlan, index: number): string {
  const cut = plan.cuts[index]!;
  return `cut ${cut.from}→${cut.to} (${formatBytes(cut.bytes)})`;
}

/**
 * Per cut: the same bytes raw over ws between two processes, and through a bare browser
 * (measured once for cuts of the same size).
 */
async function transferBaselines(
  options: BenchOptions,
  rig: ShardingRig,
  plan: PartitionPlan,
  chromium: FoundBrowser,
): Promise<Figure[][]> {
  const roundTrips = sized(options, SIZES.transferRoundTrips);
  const bySize = new Map<number, Figure[]>();
  for (const bytes of new Set(plan.cuts.map((cut) => cut.bytes))) {
    const size = formatBytes(bytes);
    const ws = await measureFigure(
      options,
      {
        name: `raw ws: ${size} to a ws echo server in another process and back, median of ${roundTrips}`,
        unit: 'ms',
      },
      () => measureWsTransfer({ bytes, roundTrips }),
    );
    const browser = await measureFigure(
      options,
      {
        name: `bare Chromium page: PUT ${size} to the coordinator's artifact store + GET it, median of ${roundTrips}`,
        unit: 'ms',
        baselines: [ws],
      },
      () =>
        measureBrowserTransfer(chromium.executablePath, {
          url: rig.coordinator.url,
          adminKey: rig.coordinator.adminKey,
          bytes,
          roundTrips,
        }),
    );
    bySize.set(bytes, [ws, browser]);
  }
  return plan.cuts.map((cut) => bySize.get(cut.bytes)!);
}

/** The stages of the plan on the workers the run placed them on, with their times alone. */
function pipelineStages(
  plan: PartitionPlan,
  run: FinishedRun,
  spans: ReadonlyMap<number, readonly number[]>,
  periods: ReadonlyMap<number, number>,
): PipelineStage[] {
  return plan.stages.map((stage) => ({
    stage: stage.index,
    worker: run.result.placements.find((p) => p.stage === stage.index)!.workerName,
    dependsOn: stage.dependsOn,
    spanMs: mean(spans.get(stage.index) ?? []),
    periodMs: periods.get(stage.index)!,
  }));
}

function busyPercent(run: FinishedRun, stage: number): number {
  const worker = run.result.placements.find((p) => p.stage === stage)!.workerName;
  const figures = run.result.figures.workers.find((w) => w.worker === worker);
  return (figures?.busyFraction ?? 0) * 100;
}

/**
 * The pipeline against the whole model; each stage alone, once for one micro-batch (its span)
 * and once at full rate (its period); what those predict for a core per browser; and what the
 * activations cost to hand on: all from the same runs.
 */
function pipelineFigures(
  options: BenchOptions,
  runs: RigRuns,
  models: Workload,
  transfers: readonly Figure[][],
  browsers: BrowserSet,
): Promise<Figure[]> {
  const microBatches = sized(options, SIZES.microBatches);
  const aloneRuns = sized(options, SIZES.aloneRuns);
  const { plan } = models.sharded;
  const stages = plan.stages.map((s) => s.index);
  const whole = `${models.label} whole (1 stage) on one of ${browsers.label}, wasm, ${microBatches} micro-batches`;
  const sharded = `${models.label} in ${STAGES} stages on ${browsers.label} sharing 2 cores, wasm, ${microBatches} micro-batches`;
  const wholeSpan = 'whole model: task span (running → result recorded), mean';
  const wholePeriod = 'whole model: time between two results in its run (its period), mean';
  const unnamed: SetFigureSpec[] = [
    { name: whole, unit: 'micro-batches/s' },
    { name: sharded, unit: 'micro-batches/s', baselines: [whole] },
    ...stages.map((s) => ({ name: `stage ${s} busy fraction in the sharded run`, unit: '%' })),
    { name: 'bubble fraction of the sharded run', unit: '%' },
    { name: wholeSpan, unit: 'ms' },
    { name: wholePeriod, unit: 'ms' },
    ...stages.map((s) => ({
      name: `stage ${s}: task span alone (one micro-batch, the other browsers idle), mean`,
      unit: 'ms',
      baselines: [wholeSpan],
    })),
    ...stages.map((s) => ({
      name: `stage ${s}: period alone at full rate (its ${microBatches} micro-batches again, the other browsers idle)`,
      unit: 'ms',
      baselines: [wholePeriod],
    })),
    { name: 'hand-off alone: a stage recorded → the next one running, mean', unit: 'ms' },
    {
      name: `predicted for a core per browser from the stages' spans and periods alone, ${microBatches} micro-batches`,
      unit: 'micro-batches/s',
      baselines: [whole, sharded],
    },
    {
      name: "the same formula fed the whole model's span and period (a check: its measured rate)",
      unit: 'micro-batches/s',
      baselines: [whole],
    },
    ...plan.cuts.flatMap((_, i) => [
      {
        name: `${cutName(plan, i)}: hashing + encoding by the producer, decoding + checking by the consumer, alone, median`,
        unit: 'ms',
        baselines: transfers[i]!,
      },
      {
        name: `${cutName(plan, i)}: the same in the sharded run, median`,
        unit: 'ms',
        baselines: transfers[i]!,
      },
    ]),
  ];
  // Each set's figures under names of their own; the transfer baselines are shared.
  const named = (name: string) =>
    name === whole || name === sharded
      ? name
      : `${browsers.label}, ${models.sequence} tokens: ${name}`;
  const specs = unnamed.map((spec) => ({
    ...spec,
    name: named(spec.name),
    ...(spec.baselines === undefined
      ? {}
      : {
          baselines: spec.baselines.map((b) => (typeof b === 'string' ? named(b) : b)),
        }),
  }));
  let wholeFirst = false;
  return measureFigures(options, specs, async () => {
    // Taking turns at going first, so that neither always runs on a cooler machine.
    wholeFirst = !wholeFirst;
    const runWhole = () => runs.run(models.whole, microBatches, 'whole');
    const runSharded = () => runs.run(models.sharded, microBatches, 'sharded');
    const first = wholeFirst ? await runWhole() : await runSharded();
    const second = wholeFirst ? await runSharded() : await runWhole();
    const [wholeRun, shardedRun] = wholeFirst ? [first, second] : [second, first];
    const alone: StageTaskTime[][] = [];
    for (let i = 0; i < aloneRuns; i++) {
      const run = await runs.run(models.sharded, 1, 'alone', { quiet: i > 0 });
      alone.push(stageTaskTimes(run.tasks));
    }
    const periods = new Map<number, number>();
    for (const stage of stages) {
      const replayed = await replayStage(
        runs.rig.client,
        shardedRun.tasks,
        stage,
        runs.nextGroup(`stage-${stage}-alone`),
      );
      periods.set(stage, resultPeriod(stageTaskTimes(replayed)));
    }
    const wholeTimes = stageTaskTimes(wholeRun.tasks);
    const shardedTimes = stageTaskTimes(shardedRun.tasks);
    const aloneSpans = new Map(
      stages.map((s) => [s, alone.flatMap((times) => stageSpans(times).get(s) ?? [])]),
    );
    const handOffMs = mean(
      alone.flatMap((times) => handOffs(times, (s) => plan.stages[s]!.dependsOn)),
    );
    const wholeSpanMs = mean(stageSpans(wholeTimes).get(0) ?? []);
    const wholePeriodMs = resultPeriod(wholeTimes);
    const predicted = predictPipeline({
      stages: pipelineStages(plan, shardedRun, aloneSpans, periods),
      handOffMs,
      microBatches,
    }).microBatchesPerSecond;
    const check = predictPipeline({
      stages: [
        { stage: 0, worker: 'whole', dependsOn: [], spanMs: wholeSpanMs, periodMs: wholePeriodMs },
      ],
      handOffMs,
      microBatches,
    }).microBatchesPerSecond;
    return [
      wholeRun.result.figures.microBatchesPerSecond,
      shardedRun.result.figures.microBatchesPerSecond,
      ...stages.map((s) => busyPercent(shardedRun, s)),
      shardedRun.result.figures.bubbleFraction * 100,
      wholeSpanMs,
      wholePeriodMs,
      ...stages.map((s) => mean(aloneSpans.get(s)!)),
      ...stages.map((s) => periods.get(s)!),
      handOffMs,
      predicted,
      check,
      ...plan.cuts.flatMap((cut) => [
        percentile(
          alone.flatMap((times) => transferTimes(times, cut)),
          50,
        ),
        percentile(transferTimes(shardedTimes, cut), 50),
      ]),
    ];
  });
}

/** Times from the kill of a run killed mid-way, and what its recovery took. */
function recoveryTimes(run: KilledRun, progress: (line: string) => void): number[] {
  const spec = run.killedTask.spec;
  const stage = spec.kind === 'shard-stage' ? spec.payload.stage : undefined;
  const recovery = run.result.recoveries[0];
  if (stage === undefined || recovery?.resumedAfterMs === undefined) {
    throw new Error('the run recorded no recovery from the kill');
  }
  const [first] = stageTaskTimes(run.tasks)
    .filter(
      (t) => t.stage === stage && t.workerId !== run.killedWorker && t.finishedAt > run.killedAt,
    )
    .sort((a, b) => a.finishedAt - b.finishedAt);
  if (first === undefined) throw new Error(`stage ${stage} committed nothing after the kill`);
  progress(
    `killed Firefox running stage ${stage}; ${recovery.actions.join('; ')}; ${run.result.figures.lostAttempts} attempt(s) lost`,
  );
  return [
    first.finishedAt - run.killedAt,
    recovery.at - run.killedAt,
    recovery.resumedAfterMs,
    first.startedAt - run.killedAt,
    first.timings.modelFetchMs + first.timings.sessionCreateMs,
  ];
}

/**
 * Each recovery run has a model of its own (weights from another seed): its stages are new
 * artifacts, so the browser a stage moves to has no session of it from an earlier run, as in a
 * first recovery, and creating one is part of the time.
 */
function recoveryFigures(options: BenchOptions, runs: RigRuns): Promise<Figure[]> {
  const microBatches = sized(options, SIZES.microBatches);
  const killAt = Math.max(1, Math.round(microBatches * KILL_AT_SHARE));
  const kill = `kill -9 of Firefox at its micro-batch ${killAt} of ${microBatches} (${STAGES} stages, immediate recovery)`;
  let seed = MODEL_SEED;
  return measureFigures(
    options,
    [
      { name: `${kill} → its stage's first commit after the kill`, unit: 'ms' },
      { name: `${kill} → the run sees the worker lost`, unit: 'ms' },
      {
        name: 'recoveries[0].resumedAfterMs: loss seen → first commit of the moved work',
        unit: 'ms',
      },
      { name: `${kill} → its stage running again on another browser`, unit: 'ms' },
      {
        name: "of the first: the moved stage's model fetch + session creation on its new worker",
        unit: 'ms',
      },
    ],
    async () => {
      const prepared = await prepareSharded(transformerStack(++seed));
      const run = await killFirefoxMidRun(runs, prepared, microBatches, killAt);
      return recoveryTimes(run, options.progress);
    },
  );
}

function prepareSharded(model: TestModel): Promise<PreparedModel> {
  return prepareModel(model, { stages: STAGES, strategy: 'pipeline' });
}

async function workload(sequence: number): Promise<Workload> {
  const model = transformerStack(MODEL_SEED, { sequence });
  const sharded = await prepareSharded(model);
  checkCuts(sharded.plan);
  return {
    label: `${MODEL} (${sequence} tokens)`,
    sequence,
    whole: await prepareModel(model, { stages: 1 }),
    sharded,
  };
}

async function figures(
  options: BenchOptions,
  browsers: { chromium: FoundBrowser; firefox: FoundBrowser },
): Promise<Figure[]> {
  const short = await workload(SHORT_SEQUENCE);
  const long = await workload(LONG_SEQUENCE);
  const mixed = await withShardingRig({ ...browsers, ...MIXED }, async (rig) => {
    const runs = new RigRuns(rig, options.progress);
    const transfers = await transferBaselines(options, rig, short.sharded.plan, browsers.chromium);
    return {
      transfers,
      figures: [
        ...new Set(transfers.flat()),
        ...(await pipelineFigures(options, runs, short, transfers, MIXED)),
        ...(await recoveryFigures(options, runs)),
      ],
    };
  });
  const sameEngine = await withShardingRig({ ...browsers, ...SAME_ENGINE }, async (rig) => {
    const runs = new RigRuns(rig, options.progress);
    const longTransfers = await transferBaselines(
      options,
      rig,
      long.sharded.plan,
      browsers.chromium,
    );
    return [
      ...(await pipelineFigures(options, runs, short, mixed.transfers, SAME_ENGINE)),
      ...new Set(longTransfers.flat()),
      ...(await pipelineFigures(options, runs, long, longTransfers, SAME_ENGINE)),
    ];
  });
  return [...mixed.figures, ...sameEngine];
}

/**
 * A model sharded over real headless browsers (two Chromium and one Firefox, then three
 * Firefox, there at micro-batches of 16 and of 64 tokens; wasm) against the same model whole
 * on one of them through the same machinery; each stage's time alone and what the stages'
 * times predict for a core per browser; activation hand-offs against the same bytes over raw
 * ws and through a bare browser; and the recovery from a browser killed mid-run.
 */
export const shardingBenchmark: Benchmark = {
  name: 'sharding',
  async run(options) {
    const found = await findBrowsers();
    const chromium = found.find((b) => b.name === 'chromium');
    const firefox = found.find((b) => b.name === 'firefox');
    if (chromium === undefined || firefox === undefined) {
      const why = 'needs Chromium and Firefox (see docs/browsers.md)';
      options.progress(`skipped: ${why}`);
      return [skippedFigure('sharding', why)];
    }
    options.progress(
      `${chromium.product} ${chromium.version}, ${firefox.product} ${firefox.version}`,
    );
    return figures(options, { chromium, firefox });
  },
};
