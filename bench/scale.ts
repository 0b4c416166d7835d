import Database from 'better-sqlite3';
import { DB_FILE } from '../coordinator/store/index.js';
import { probeCapabilities } from '../node-worker/index.js';
import { measureIdleNodeRss } from './baselines/idle-node.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, figure } from './figure.js';
import { timeDashboardViews } from './scale/dashboard-views.js';
import { fillStore } from './scale/fill-store.js';
import { timeSchedulingDecisions } from './scale/scheduling-decisions.js';
import { connectSilentWorkers } from './scale/silent-workers.js';
import { withCoordinatorProcessOn } from './support/coordinator-process.js';
import { percentile } from './support/percentile.js';
import { megabytes, residentBytes } from './support/process-rss.js';
import { withTempDir } from './support/temp-dir.js';

const one = (value: number) => ({ value, samples: [value] });

/** Time to read every task row with better-sqlite3 and nothing else: the floor of a restart. */
function rawReadMs(dataDir: string): number {
  const db = new Database(`${dataDir}/${DB_FILE}`, { readonly: true });
  const started = performance.now();
  let rows = 0;
  for (const _row of db.prepare('SELECT * FROM tasks').iterate()) rows++;
  const ms = performance.now() - started;
  db.close();
  return rows > 0 ? ms : Number.NaN;
}

async function measureScale(options: BenchOptions, dataDir: string): Promise<Figure[]> {
  const tasks = options.quick ? 100_000 : 1_000_000;
  const workers = 1_000;
  const label = `${workers.toLocaleString('en')} workers, ${tasks.toLocaleString('en')} queued tasks`;
  options.progress(`writing ${tasks.toLocaleString('en')} queued tasks…`);
  await fillStore(dataDir, tasks, workers);

  const readFigure = figure(
    `raw SQLite read of ${tasks.toLocaleString('en')} task rows`,
    's',
    one(rawReadMs(dataDir) / 1000),
  );
  const bareRss = figure('idle Node process RSS', 'MB', one(megabytes(await measureIdleNodeRss())));
  options.progress('restarting a coordinator on that store…');
  const started = performance.now();
  const { restart, rss, dashboard } = await withCoordinatorProcessOn(
    dataDir,
    [],
    async (coordinator) => {
      const readySeconds = (performance.now() - started) / 1000;
      options.progress(`connecting ${workers} workers…`);
      const connected = await connectSilentWorkers(
        `${coordinator.wsUrl}?token=${coordinator.workerToken}`,
        workers,
        await probeCapabilities(),
      );
      try {
        options.progress('timing dashboard views…');
        const views = await timeDashboardViews(coordinator.wsUrl, coordinator.adminKey, 20);
        const query = figure('ws query of one task (baseline)', 'ms', {
          value: percentile(views.queryMs, 50),
          samples: views.queryMs,
        });
        const dashboard = [
          query,
          figure(
            `dashboard view, ${label}`,
            'ms',
            { value: percentile(views.viewMs, 50), samples: views.viewMs },
            [query],
          ),
          figure(
            `dashboard first view (walks the tasks once), ${label}`,
            'ms',
            one(views.firstMs),
            [query],
          ),
        ];
        return {
          dashboard,
          restart: figure(
            `restart to ready, ${tasks.toLocaleString('en')} queued tasks`,
            's',
            one(readySeconds),
            [readFigure],
          ),
          rss: figure(
            `coordinator RSS, ${label}`,
            'MB',
            one(megabytes(await residentBytes(coordinator.pid))),
            [bareRss],
          ),
        };
      } finally {
        connected.close();
      }
    },
  );

  options.progress('timing scheduling decisions…');
  const times = await timeSchedulingDecisions(dataDir, workers, options.quick ? 2_000 : 10_000);
  const decision = (p: number) =>
    figure(`scheduling decision p${p}, ${label}`, 'ms', {
      value: percentile(times, p),
      samples: [],
    });
  return [readFigure, restart, bareRss, rss, decision(50), decision(99), ...dashboard];
}

/** The coordinator at size: restart time, memory and scheduling cost with a million queued tasks. */
export const scaleBenchmark: Benchmark = {
  name: 'scale',
  run: (options) => withTempDir('dtf-bench-scale-', (dataDir) => measureScale(options, dataDir)),
};
