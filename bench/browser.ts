import { pino } from 'pino';
import type { Page } from 'puppeteer-core';
import {
  type FoundBrowser,
  findBrowsers,
  type Pool,
  startPool,
} from '../browser-worker/pool/index.js';
import { DtfClient, uploadArtifact, workerPageUrl } from '../client/index.js';
import { cnn, mlp, type SampleModel } from '../models/index.js';
import type { ArtifactRef, TaskSpecInput } from '../protocol/index.js';
import { latencySummary, materializeTensor } from '../tensors/index.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, figure } from './figure.js';
import { measureFigure } from './measure.js';
import { type AuthCoordinator, withAuthCoordinator } from './support/auth-coordinator.js';
import { type BareChromium, launchBareChromium } from './support/bare-chromium.js';
import { untilBrowserWorkers } from './support/browser-workers.js';
import { measureFigures } from './support/measure-figures.js';
import { percentile } from './support/percentile.js';
import { TerminalEvents } from './support/terminal-events.js';

const SIZES = {
  /** Browsers started at once for the cold start. */
  coldBrowsers: { quick: 2, full: 4 },
  /** Sequential trivial tasks per measured run of the warm dispatch. */
  warmTasks: { quick: 20, full: 100 },
  /** Model task and direct session pairs per measured run; each side's median is reported. */
  inferencePairs: { quick: 1, full: 5 },
};
const MODEL_SEED = 7;

/**
 * The models timed through DTF and directly. Runs of the small sample models take 0.1–0.3 ms,
 * near the 0.1 ms grain of a page's clock, so the mean over many runs is what resolves a
 * difference of a few percent; the wide MLP is compute-bound (a few milliseconds a run), where
 * the clock's grain no longer matters.
 */
const INFERENCE_MODELS: ReadonlyArray<{
  label: string;
  build(): SampleModel;
  /** Timed runs per model task (after its first run), and per direct session. */
  runs: { quick: number; full: number };
}> = [
  { label: 'mlp', build: () => mlp(MODEL_SEED), runs: { quick: 200, full: 1000 } },
  { label: 'cnn', build: () => cnn(MODEL_SEED), runs: { quick: 200, full: 1000 } },
  {
    label: 'mlp 32×1024→1024→10',
    build: () => mlp(MODEL_SEED, { batch: 32, input: 1024, hidden: 1024, classes: 10 }),
    runs: { quick: 20, full: 100 },
  },
];
const GROUP = 'bench-browser';
const CHROMIUM_HINT =
  "install Debian's chromium (apt-get install -y chromium) or set DTF_CHROMIUM to a Chromium or Chrome binary";

/** A page test whose single test returns at once. */
const TRIVIAL_MODULE = `data:text/javascript,${encodeURIComponent('export const tests = { trivial: () => {} };')}`;

/**
 * Installed in the baseline page, at the coordinator's origin: the same work the worker page
 * does for a page test and for a model task on the wasm provider, without DTF around it.
 */
const DIRECT_PAGE_SCRIPT = `globalThis.__dtfBench = {
  async pageTest(url) {
    const module = await import(url);
    for (const test of Object.values(module.tests)) await test();
  },
  async infer({ modelBase64, inputs, runs }) {
    const base = new URL('/worker/ort/', location.origin).href;
    const ort = await import(base + 'ort.all.min.mjs');
    ort.env.wasm.wasmPaths = base;
    ort.env.wasm.numThreads = crossOriginIsolated ? navigator.hardwareConcurrency : 1;
    const bytes = Uint8Array.from(atob(modelBase64), (c) => c.charCodeAt(0));
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    try {
      const feeds = {};
      for (const [name, input] of Object.entries(inputs)) {
        feeds[name] = new ort.Tensor('float32', Float32Array.from(input.data), input.dims);
      }
      await session.run(feeds);
      const samples = [];
      const allStarted = performance.now();
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await session.run(feeds);
        samples.push(performance.now() - started);
      }
      return { samples, totalMs: performance.now() - allStarted };
    } finally {
      await session.release();
    }
  },
};`;

function sized(options: BenchOptions, counts: { quick: number; full: number }): number {
  return options.quick ? counts.quick : counts.full;
}

/** Milliseconds each of `count` sequential calls of `work` took. */
async function timedSeries(count: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times;
}

const silent = pino({ level: 'silent' });

function startChromiumPool(
  coordinator: AuthCoordinator,
  chromium: FoundBrowser,
  count: number,
): Promise<Pool> {
  return startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count }],
    driver: 'puppeteer',
    executables: [chromium],
    softwareWebGpu: true,
    logger: silent,
  });
}

/** Seconds from starting a pool of `count` Chromium until all have registered as workers. */
function poolColdStart(chromium: FoundBrowser, count: number): Promise<number> {
  return withAuthCoordinator(async (coordinator) => {
    const started = performance.now();
    const pool = await startChromiumPool(coordinator, chromium, count);
    try {
      await untilBrowserWorkers(coordinator, pool, count);
      return (performance.now() - started) / 1000;
    } finally {
      await pool.stop();
    }
  });
}

/** Seconds to launch `count` bare Chromium with puppeteer-core at once and open about:blank. */
async function bareColdStart(chromium: FoundBrowser, count: number): Promise<number> {
  const launched: BareChromium[] = [];
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const browser = await launchBareChromium(chromium.executablePath);
        launched.push(browser);
        const page = await browser.browser.newPage();
        await page.goto('about:blank');
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(launched.map((browser) => browser.close()));
  }
}

async function coldStartFigures(options: BenchOptions, chromium: FoundBrowser): Promise<Figure[]> {
  const count = sized(options, SIZES.coldBrowsers);
  const bare = await measureFigure(
    options,
    {
      name: `cold start: ${count} bare Chromium launched by puppeteer-core, about:blank`,
      unit: 's',
    },
    () => bareColdStart(chromium, count),
  );
  const pool = await measureFigure(
    options,
    {
      name: `cold start: pool of ${count} headless Chromium until all registered as workers`,
      unit: 's',
      baselines: [bare],
    },
    () => poolColdStart(chromium, count),
  );
  return [bare, pool];
}

/** A warm rig: one pool browser registered as a worker, a client, and a baseline page. */
interface WarmRig {
  coordinator: AuthCoordinator;
  client: DtfClient;
  events: TerminalEvents;
  /** A page of a separately launched Chromium, at the coordinator's origin. */
  page: Page;
}

async function withWarmRig<T>(
  chromium: FoundBrowser,
  fn: (rig: WarmRig) => Promise<T>,
): Promise<T> {
  return withAuthCoordinator(async (coordinator) => {
    const pool = await startChromiumPool(coordinator, chromium, 1);
    let client: DtfClient | undefined;
    let events: TerminalEvents | undefined;
    let bare: BareChromium | undefined;
    try {
      await untilBrowserWorkers(coordinator, pool, 1);
      client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
      events = await TerminalEvents.follow(client, GROUP);
      bare = await launchBareChromium(chromium.executablePath);
      const page = await bare.browser.newPage();
      await page.goto(`${coordinator.url}/api/health`);
      await page.evaluate(DIRECT_PAGE_SCRIPT);
      return await fn({ coordinator, client, events, page });
    } finally {
      await events?.close();
      await client?.close();
      await bare?.close();
      await pool.stop();
    }
  });
}

/** Submits one task and waits for its terminal event; throws unless it succeeded. */
async function runTask(rig: WarmRig, task: TaskSpecInput) {
  const [taskId] = await rig.client.submit([{ ...task, group: GROUP, retry: { maxRetries: 0 } }]);
  const event = await rig.events.ended(taskId!);
  if (event.state !== 'succeeded') {
    throw new Error(
      `${task.kind} task ended ${event.state}: ${event.result?.error ?? event.reason}`,
    );
  }
  return event;
}

async function warmDispatchFigures(options: BenchOptions, rig: WarmRig): Promise<Figure[]> {
  const tasks = sized(options, SIZES.warmTasks);
  const pageTest: TaskSpecInput = {
    kind: 'page-test',
    payload: { module: TRIVIAL_MODULE },
    requirements: { browser: 'chromium' },
  };
  let dtfFirst = false;
  const direct = 'trivial page test by page.evaluate through puppeteer';
  const dtf = 'trivial page-test task to a warm browser worker, submit to terminal event';
  return measureFigures(
    options,
    [
      { name: `${direct}, median`, unit: 'ms' },
      { name: `${direct}, p99`, unit: 'ms' },
      { name: `${dtf}, median`, unit: 'ms', baselines: [`${direct}, median`] },
      { name: `${dtf}, p99`, unit: 'ms', baselines: [`${direct}, p99`] },
      { name: 'warm dispatch overhead: DTF median - page.evaluate median', unit: 'ms' },
    ],
    async () => {
      // One block each, taking turns at going first: interleaving task by task made the
      // two browsers disturb each other (about 1 ms more per DTF task on a 2-core machine).
      dtfFirst = !dtfFirst;
      const dtfBlock = () => timedSeries(tasks, () => runTask(rig, pageTest));
      const directBlock = () =>
        timedSeries(tasks, () =>
          rig.page.evaluate(`__dtfBench.pageTest(${JSON.stringify(TRIVIAL_MODULE)})`),
        );
      const first = dtfFirst ? await dtfBlock() : await directBlock();
      const second = dtfFirst ? await directBlock() : await dtfBlock();
      const [dtfMs, directMs] = dtfFirst ? [first, second] : [second, first];
      const directMedian = percentile(directMs, 50);
      const dtfMedian = percentile(dtfMs, 50);
      return [
        directMedian,
        percentile(directMs, 99),
        dtfMedian,
        percentile(dtfMs, 99),
        dtfMedian - directMedian,
      ];
    },
  );
}

/** Median and mean of one inference run, over `runs` timed runs after a first one. */
interface RunTimes {
  medianMs: number;
  meanMs: number;
}

/** A model task's timings on the wasm provider, as the worker reports them. */
async function dtfInference(
  rig: WarmRig,
  model: SampleModel,
  ref: ArtifactRef,
  runs: number,
): Promise<RunTimes> {
  const event = await runTask(rig, {
    kind: 'model',
    payload: { model: ref, executionProvider: 'wasm', inputs: model.inputs, runs },
    requirements: { browser: 'chromium' },
  });
  let output = event.result?.output;
  if (output === undefined) {
    const [view] = await rig.client.query({ taskIds: [event.taskId] });
    output = view?.result?.output;
  }
  if (output?.kind !== 'model') throw new Error('the model task reported no model output');
  return output.timings;
}

/** The same: one session created from the same bytes, a first run, then `runs` timed ones. */
async function directInference(page: Page, model: SampleModel, runs: number): Promise<RunTimes> {
  const inputs = Object.fromEntries(
    Object.entries(model.inputs).map(([name, input]) => {
      if (input.type !== 'float32') throw new Error(`${model.name}: input ${name} is no float32`);
      return [
        name,
        { dims: input.dims, data: Array.from(materializeTensor(input) as Float32Array) },
      ];
    }),
  );
  const args = { modelBase64: Buffer.from(model.bytes).toString('base64'), inputs, runs };
  const { samples, totalMs } = (await page.evaluate(
    `__dtfBench.infer(${JSON.stringify(args)})`,
  )) as { samples: number[]; totalMs: number };
  return latencySummary(samples, totalMs);
}

async function inferenceFigures(options: BenchOptions, rig: WarmRig): Promise<Figure[]> {
  const pairs = sized(options, SIZES.inferencePairs);
  const figures: Figure[] = [];
  for (const { label: name, build, runs: counts } of INFERENCE_MODELS) {
    const runs = sized(options, counts);
    const model = build();
    const ref = await uploadArtifact(rig.coordinator.url, model.bytes, rig.coordinator.adminKey);
    const direct = `${name} on onnxruntime-web wasm direct in a puppeteer page, ${runs} runs`;
    const dtf = `${name} model task on wasm in a pool browser, ${runs} runs`;
    let dtfFirst = false;
    figures.push(
      ...(await measureFigures(
        options,
        [
          { name: `${direct}: median`, unit: 'ms' },
          { name: `${direct}: mean`, unit: 'ms' },
          { name: `${dtf}: timings.medianMs`, unit: 'ms', baselines: [`${direct}: median`] },
          { name: `${dtf}: timings.meanMs`, unit: 'ms', baselines: [`${direct}: mean`] },
        ],
        async () => {
          const viaDtf: RunTimes[] = [];
          const straight: RunTimes[] = [];
          for (let pair = 0; pair < pairs; pair++) {
            // Taking turns at going first, so that neither always runs on a cooler machine.
            dtfFirst = !dtfFirst;
            if (dtfFirst) viaDtf.push(await dtfInference(rig, model, ref, runs));
            straight.push(await directInference(rig.page, model, runs));
            if (!dtfFirst) viaDtf.push(await dtfInference(rig, model, ref, runs));
          }
          const median = (times: RunTimes[], key: keyof RunTimes) =>
            percentile(
              times.map((t) => t[key]),
              50,
            );
          return [
            median(straight, 'medianMs'),
            median(straight, 'meanMs'),
            median(viaDtf, 'medianMs'),
            median(viaDtf, 'meanMs'),
          ];
        },
      )),
    );
  }
  return figures;
}

function skippedFigures(why: string): Figure[] {
  return ['cold start', 'warm dispatch', 'inference'].map((name) =>
    figure(`${name} (browser)`, `skipped: ${why}`, { value: Number.NaN, samples: [] }),
  );
}

/**
 * Real headless Chromium against an in-process coordinator, each figure beside a baseline
 * without DTF in the same run: how long a pool takes to stand up (vs launching the bare
 * browsers), what a trivial task costs on a warm browser worker (vs `page.evaluate`), and
 * whether inference through a model task is as fast as onnxruntime-web driven directly.
 */
export const browserBenchmark: Benchmark = {
  name: 'browser',
  async run(options) {
    const chromium = (await findBrowsers()).find((browser) => browser.name === 'chromium');
    if (chromium === undefined) {
      options.progress(`no Chromium found, so the browser figures are skipped: ${CHROMIUM_HINT}`);
      return skippedFigures(`no Chromium (${CHROMIUM_HINT})`);
    }
    options.progress(`${chromium.product} ${chromium.version} at ${chromium.executablePath}`);
    const figures = await coldStartFigures(options, chromium);
    figures.push(
      ...(await withWarmRig(chromium, async (rig) => [
        ...(await warmDispatchFigures(options, rig)),
        ...(await inferenceFigures(options, rig)),
      ])),
    );
    return figures;
  },
};
