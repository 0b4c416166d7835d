import { probeCapabilities } from '../node-worker/index.js';
import { measureWsLatency } from './baselines/ws-latency.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import type { Figure } from './figure.js';
import { formatBytes } from './format.js';
import { measureTaskLatency } from './support/latency-run.js';
import { measureFigures } from './support/measure-figures.js';
import { submitMessageText } from './support/noop-tasks.js';

/** Offered load: submits (one task each) per second. */
const PER_SECOND = 1_000;
/** Timed tasks per run: two seconds of load with `--quick`, ten otherwise. */
const TASKS = { quick: 2_000, full: 10_000 };
/**
 * Untimed tasks first, at the same rate: in the first seconds of a fresh coordinator process
 * the JIT is still compiling the hot path, and p99 over them is about twice the steady one.
 */
const WARM_UP_TASKS = { quick: 1_000, full: 3_000 };
const SLOTS = 64;

function tasks(options: BenchOptions): number {
  return options.quick ? TASKS.quick : TASKS.full;
}

const rate = `${PER_SECOND.toLocaleString('en-US')}/s`;

function wsBaselines(options: BenchOptions): Promise<Figure[]> {
  const message = submitMessageText(1);
  const name = `ws round trip of ${formatBytes(Buffer.byteLength(message))} at ${rate}`;
  return measureFigures(
    options,
    [
      { name: `${name}, p50`, unit: 'ms' },
      { name: `${name}, p99`, unit: 'ms' },
    ],
    async () => {
      const { p50, p99 } = await measureWsLatency({
        message,
        roundTrips: tasks(options),
        perSecond: PER_SECOND,
      });
      return [p50, p99];
    },
  );
}

/**
 * Per-task latency under an open-loop load of one-task submits at a fixed rate, through a
 * coordinator process with one light worker, after a few seconds of warm-up: submit → `assign` at the worker and submit →
 * terminal event at the client, p50 and p99, next to a raw `ws` round trip of the same
 * message at the same rate, measured in the same run.
 */
export const latencyBenchmark: Benchmark = {
  name: 'latency',
  async run(options) {
    const capabilities = await probeCapabilities();
    const [echo50, echo99] = await wsBaselines(options);
    const at = `1 task per submit at ${rate} after warm-up`;
    const latencies = await measureFigures(
      options,
      [
        { name: `submit → assigned, ${at}, p50`, unit: 'ms', baselines: [echo50!] },
        { name: `submit → assigned, ${at}, p99`, unit: 'ms', baselines: [echo99!] },
        { name: `submit → result recorded, ${at}, p50`, unit: 'ms', baselines: [echo50!] },
        { name: `submit → result recorded, ${at}, p99`, unit: 'ms', baselines: [echo99!] },
      ],
      async () => {
        const { assigned, recorded } = await measureTaskLatency({
          warmUpTasks: options.quick ? WARM_UP_TASKS.quick : WARM_UP_TASKS.full,
          tasks: tasks(options),
          perSecond: PER_SECOND,
          slots: SLOTS,
          capabilities,
        });
        return [assigned.p50, assigned.p99, recorded.p50, recorded.p99];
      },
    );
    return [echo50!, echo99!, ...latencies];
  },
};
