import { probeCapabilities } from '../node-worker/index.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../protocol/index.js';
import { measureIdleNodeRss } from './baselines/idle-node.js';
import type { Benchmark } from './benchmark.js';
import { measureFigure } from './measure.js';
import { measureIdleCoordinatorRss } from './support/footprint-run.js';
import { megabytes } from './support/process-rss.js';

const WORKERS = 10;
const HEARTBEATS = 3;

/**
 * Footprint: the resident memory of an idle coordinator process with ten light workers
 * connected, next to that of a `node -e` process that only waits, measured in the same run.
 */
export const footprintBenchmark: Benchmark = {
  name: 'footprint',
  async run(options) {
    const capabilities = await probeCapabilities();
    const idleNode = await measureFigure(
      options,
      { name: 'RSS of an idle `node -e` process', unit: 'MB' },
      async () => megabytes(await measureIdleNodeRss()),
    );
    const coordinator = await measureFigure(
      options,
      {
        name: `RSS of an idle coordinator process with ${WORKERS} workers connected`,
        unit: 'MB',
        baselines: [idleNode],
      },
      async () =>
        megabytes(
          await measureIdleCoordinatorRss({
            workers: WORKERS,
            heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
            heartbeats: HEARTBEATS,
            capabilities,
          }),
        ),
    );
    return [idleNode, coordinator];
  },
};
