import { Queue, Worker } from 'bullmq';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { batchedDispatchFigure, batchedDispatchWorkload } from './dispatch.js';
import { type Figure, figure, skippedFigure } from './figure.js';
import { measureFigure } from './measure.js';
import { runConcurrently } from './support/concurrency.js';
import { NOOP_TASK } from './support/noop-tasks.js';
import {
  REDIS_INSTALL_HINT,
  type RedisServer,
  RedisServerMissingError,
  withRedisServer,
} from './support/redis-server.js';
import { measureRate } from './support/timing.js';

const QUEUE = 'dtf-bench';

export interface BullmqWorkload {
  jobs: number;
  /** Jobs per `queue.addBulk`. */
  jobsPerAdd: number;
  /** `addBulk` calls outstanding at once. */
  addsInFlight: number;
  workers: number;
  /** Each BullMQ Worker's `concurrency`. */
  concurrency: number;
}

/**
 * Resolves once the workers have completed `expected` jobs between them; rejects on the first
 * failed job or worker error.
 */
function completions(workers: readonly Worker[], expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let completed = 0;
    for (const worker of workers) {
      worker.on('completed', () => {
        if (++completed === expected) resolve();
      });
      worker.on('failed', (job, error) =>
        reject(new Error(`BullMQ job ${job?.id} failed: ${error.message}`)),
      );
      worker.on('error', reject);
    }
  });
}

/**
 * Jobs per second through BullMQ on `server`: from the first `addBulk` until the workers have
 * completed every job with a processor that does nothing.
 */
async function measureBullmqOnce(server: RedisServer, workload: BullmqWorkload): Promise<number> {
  const connection = { host: server.host, port: server.port };
  const queue = new Queue(QUEUE, { connection });
  const workers: Worker[] = [];
  try {
    await queue.waitUntilReady();
    for (let i = 0; i < workload.workers; i++) {
      workers.push(
        new Worker(QUEUE, async () => {}, { connection, concurrency: workload.concurrency }),
      );
    }
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    const done = completions(workers, workload.jobs);
    done.catch(() => {}); // awaited below; a late failure while closing does not matter
    const batch = Array.from({ length: workload.jobsPerAdd }, () => ({
      name: 'noop',
      data: NOOP_TASK,
    }));
    const adds = Math.ceil(workload.jobs / workload.jobsPerAdd);
    return await measureRate(workload.jobs, async () => {
      const added = runConcurrently(adds, workload.addsInFlight, () => queue.addBulk(batch));
      await Promise.all([added, done]);
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.close();
  }
}

/** One measured run: a fresh redis-server (like the fresh coordinator of each dispatch run). */
function measureBullmq(workload: BullmqWorkload): Promise<number> {
  return withRedisServer((server) => measureBullmqOnce(server, workload));
}

function bullmqName(workload: BullmqWorkload): string {
  const perAdd = workload.jobsPerAdd.toLocaleString('en-US');
  return `BullMQ + redis-server (AOF everysec): ${perAdd} jobs per addBulk, ${workload.addsInFlight} in flight, ${workload.workers} workers x ${workload.concurrency}`;
}

/** DTF's batched dispatch figure, read against BullMQ's. */
function versus(dtf: Figure, bullmq: Figure): Figure {
  return figure(`DTF vs BullMQ: ${dtf.name}`, dtf.unit, dtf, [bullmq]);
}

async function redisAvailable(options: BenchOptions): Promise<boolean> {
  try {
    await withRedisServer(async () => {});
    return true;
  } catch (error) {
    if (!(error instanceof RedisServerMissingError)) throw error;
    options.progress(
      `redis-server is not installed, so BullMQ is skipped; install it with: ${REDIS_INSTALL_HINT}`,
    );
    return false;
  }
}

/**
 * The dispatch benchmark's batched workload (the same number of no-op jobs, added in batches
 * of 1,000, four batches in flight, four consumers with 64 jobs each at once) through BullMQ,
 * what a Node user would pick instead, on a local redis-server this benchmark starts with
 * durability like the coordinator's SQLite (AOF fsynced every second). DTF's figure comes from
 * the dispatch benchmark of the same run, so the ratio is DTF / BullMQ.
 */
export const bullmqBenchmark: Benchmark = {
  name: 'bullmq',
  async run(options) {
    const dispatch = batchedDispatchWorkload(options);
    const workload: BullmqWorkload = {
      jobs: dispatch.tasks,
      jobsPerAdd: dispatch.tasksPerSubmit,
      addsInFlight: dispatch.submitsInFlight,
      workers: dispatch.workers,
      concurrency: dispatch.slotsPerWorker,
    };
    const name = bullmqName(workload);
    if (!(await redisAvailable(options))) {
      const why = `redis-server not installed (${REDIS_INSTALL_HINT})`;
      return [skippedFigure(name, why), skippedFigure('DTF vs BullMQ', why)];
    }
    const bullmq = await measureFigure(options, { name, unit: 'jobs/s' }, () =>
      measureBullmq(workload),
    );
    const dtf = await batchedDispatchFigure(options);
    const compared = versus(dtf, bullmq);
    options.progress(
      `DTF ${Math.round(dtf.value)} tasks/s, BullMQ ${Math.round(bullmq.value)} jobs/s: DTF/BullMQ ${compared.comparisons[0]!.ratio.toFixed(3)}`,
    );
    return [bullmq, compared];
  },
};
