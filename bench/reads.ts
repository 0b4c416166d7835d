import { restGet } from '../client/index.js';
import { measureBareHttp } from './baselines/bare-http.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { formatBytes } from './format.js';
import { measureFigure } from './measure.js';
import { withCoordinatorProcess } from './support/coordinator-process.js';
import { fillQueue } from './support/fill-queue.js';
import { type HttpLoad, measureRequestRate } from './support/http-load.js';

const TASKS = { quick: 10_000, full: 100_000 };
const LOAD = { quick: { connections: 10, seconds: 2 }, full: { connections: 10, seconds: 5 } };
/** Distinct task ids each connection cycles through, spread evenly over the stored tasks. */
const READ_IDS = 1_000;

function spread(ids: readonly string[], count: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / count));
  return ids.filter((_, index) => index % step === 0).slice(0, count);
}

/**
 * Reads: `GET /api/tasks/:id` requests per second, from autocannon in this process, against a
 * coordinator process (`dtf coordinator`) holding 100,000 queued tasks, next to a bare
 * `node:http` server process answering a task's JSON under the same load, in the same run.
 */
export const readsBenchmark: Benchmark = {
  name: 'reads',
  async run(options: BenchOptions) {
    const tasks = options.quick ? TASKS.quick : TASKS.full;
    const load: HttpLoad = options.quick ? LOAD.quick : LOAD.full;
    return withCoordinatorProcess([], async (coordinator) => {
      options.progress(`submitting ${tasks.toLocaleString('en-US')} tasks…`);
      const ids = await fillQueue([coordinator.wsUrl], coordinator.adminKey, tasks);
      const paths = spread(ids, READ_IDS).map((id) => `/api/tasks/${encodeURIComponent(id)}`);
      const headers = { Authorization: `Bearer ${coordinator.adminKey}` };
      // The baseline answers with the coordinator's own answer for a task, byte for byte.
      const body = JSON.stringify(await restGet(coordinator.url, paths[0]!, coordinator.adminKey));
      const connections = `${load.connections} connections`;
      const bare = await measureFigure(
        options,
        {
          name: `bare node:http, ${formatBytes(Buffer.byteLength(body))} JSON, ${connections}`,
          unit: 'requests/s',
        },
        () => measureBareHttp(body, load),
      );
      const reads = await measureFigure(
        options,
        {
          name: `GET /api/tasks/:id, ${tasks.toLocaleString('en-US')} tasks stored, ${connections}`,
          unit: 'requests/s',
          baselines: [bare],
        },
        () => measureRequestRate(coordinator.url, paths, load, headers),
      );
      return [bare, reads];
    });
  },
};
