import { probeCapabilities } from '../node-worker/index.js';
import type { Benchmark } from './benchmark.js';
import { type Figure, figure } from './figure.js';
import { withCoordinatorProcess } from './support/coordinator-process.js';
import { runOverload } from './support/overload-run.js';
import { percentile } from './support/percentile.js';

/** The admission limits the flooded coordinator runs with. */
const MAX_QUEUED_PER_KEY = 2_000;
const MAX_QUEUED = 5_000;
const SUBMIT_RATE = 2_000;

const one = (value: number) => ({ value, samples: [value] });

/**
 * A coordinator under a submit flood: one light worker that runs 400 tasks a second (8 slots,
 * 20 ms each), a key that offers 10× that for 60 s (15 s with `--quick`) ignoring every 429, a
 * second key submitting one task every 50 ms, and `/api/health` probed 50 times a second. The
 * calm key's latency and health's are read against the same run's quiet phase (the calm key
 * alone); the queue's high-water mark against its bound; and every acknowledged task must have
 * succeeded once the queue drained.
 */
export const overloadBenchmark: Benchmark = {
  name: 'overload',
  async run(options) {
    const capabilities = await probeCapabilities();
    const floodSeconds = options.quick ? 15 : 60;
    const outcome = await withCoordinatorProcess(
      [
        '--max-queued-per-key',
        String(MAX_QUEUED_PER_KEY),
        '--max-queued',
        String(MAX_QUEUED),
        '--submit-rate',
        String(SUBMIT_RATE),
        '--submit-burst',
        String(SUBMIT_RATE),
      ],
      (coordinator) =>
        runOverload(
          coordinator,
          {
            floodSeconds,
            quietSeconds: options.quick ? 5 : 15,
            slots: 8,
            runMs: 20,
            floodBatch: 20,
            calmPerSecond: 20,
            healthPerSecond: 50,
            capabilities,
          },
          options.progress,
        ),
    );
    const latency = (
      name: string,
      values: readonly number[],
      p: number,
      baselines: Figure[] = [],
    ) => figure(`${name}, p${p}`, 'ms', one(percentile(values, p)), baselines);
    const quietHealth = latency('/api/health, quiet', outcome.quiet.healthMs, 99);
    const quietCalm50 = latency('calm key submit (1 task), quiet', outcome.quiet.calmMs, 50);
    const quietCalm99 = latency('calm key submit (1 task), quiet', outcome.quiet.calmMs, 99);
    const during = `during a ${floodSeconds} s flood of 10× the workers' rate`;
    return [
      quietHealth,
      latency(`/api/health, ${during}`, outcome.flood.healthMs, 99, [quietHealth]),
      quietCalm50,
      quietCalm99,
      latency(`calm key submit (1 task), ${during}`, outcome.flood.calmMs, 50, [quietCalm50]),
      latency(`calm key submit (1 task), ${during}`, outcome.flood.calmMs, 99, [quietCalm99]),
      figure(
        `unfinished tasks at most, ${during} (bound ${MAX_QUEUED_PER_KEY} per key, ${MAX_QUEUED} in all)`,
        'tasks',
        one(outcome.maxUnfinished),
      ),
      figure('flood tasks offered', 'tasks', one(outcome.offered)),
      figure('flood tasks acknowledged (201)', 'tasks', one(outcome.acknowledged)),
      figure('flood tasks refused (429)', 'tasks', one(outcome.refused)),
      figure('acknowledged tasks lost or not succeeded', 'tasks', one(outcome.lost)),
    ];
  },
};
