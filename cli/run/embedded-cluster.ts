import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { childReaper } from '../../child-processes/index.js';
import { DtfClient, toWebSocketUrl, workerPageUrl } from '../../client/index.js';
import { CREDENTIALS_FILE } from '../../coordinator/auth/index.js';
import { DEFAULT_HEARTBEAT_MISSES } from '../../coordinator/defaults.js';
import type { NamedSchedulerHooks } from '../../coordinator/scheduler/index.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MAX_MESSAGE_BYTES } from '../../protocol/index.js';
import type { PluginRunner } from '../../worker-core/index.js';
import type { CoordinatorAccess } from '../connection.js';
import { SIGNAL_EXIT, stopOnSignal } from '../stop-on-signal.js';
import { UsageError } from '../usage-error.js';
import { workerLostReporter } from '../worker-lost-reporter.js';
import { endInterruptedRuns } from './interrupted-runs.js';

export interface EmbeddedCluster {
  access: CoordinatorAccess;
  stop(): Promise<void>;
}

export interface EmbeddedClusterOptions {
  logger: Logger;
  /** Task slots of each Node worker (default: the CPU count). */
  slots?: number | undefined;
  /** How many Node workers to start (default 1). */
  nodeWorkers?: number | undefined;
  /** Headless browsers to run as browser workers, by name: `{ chromium: 1, firefox: 1 }`. */
  browsers: Readonly<Record<string, number>>;
  progress: (line: string) => void;
  /**
   * Where the coordinator keeps its database, so that its results store outlives the run;
   * absent: a temp dir, removed when it stops.
   */
  dataDir?: string | undefined;
  /** Plugin runners the Node workers run. */
  runners?: ReadonlyMap<string, PluginRunner>;
  /** Plugins' say in where the coordinator places tasks. */
  schedulerHooks?: readonly NamedSchedulerHooks[];
}

/** The keys of a data dir an earlier start created, from its credentials file. */
async function storedKeys(dataDir: string): Promise<{ adminKey: string; workerToken: string }> {
  const file = join(dataDir, CREDENTIALS_FILE);
  try {
    const keys = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    if (typeof keys.adminKey === 'string' && typeof keys.workerToken === 'string') {
      return { adminKey: keys.adminKey, workerToken: keys.workerToken };
    }
  } catch {
    // missing or unreadable: said below
  }
  throw new UsageError(
    `${file} is missing or holds no adminKey and workerToken, so dtf run cannot use the coordinator it keeps in ${dataDir}: restore the file, or give another --data-dir`,
  );
}

/**
 * A coordinator on a loopback port with its database in a temp dir, a Node worker, and a pool
 * of headless browsers on the worker page, all started by this process: what `dtf run` uses
 * when no coordinator is given. `stop` ends them all; until then, so does a SIGINT or SIGTERM,
 * which then ends the process (exit 130 or 143). Whatever a kill -9 leaves, the reaper takes.
 */
export async function startEmbeddedCluster(
  options: EmbeddedClusterOptions,
): Promise<EmbeddedCluster> {
  const { logger, progress } = options;
  const { startCoordinator } = await import('../../coordinator/index.js');
  const { startWorker } = await import('../../node-worker/index.js');
  const { describePoolEvent, parseBrowserCount, startPool } = await import(
    '../../browser-worker/pool/index.js'
  );
  const browsers = Object.entries(options.browsers)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => parseBrowserCount(`${name}=${count}`));

  const dataDir = options.dataDir ?? (await mkdtemp(join(childReaper().scratchDir, 'dtf-run-')));
  const stops: Array<() => Promise<void>> =
    options.dataDir === undefined ? [() => rm(dataDir, { recursive: true, force: true })] : [];
  const stopAll = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  const onSignal = async (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the coordinator, the Node worker and the browsers…`);
    await stopAll();
  };
  const unhandleSignals = stopOnSignal(onSignal, logger, (signal) => SIGNAL_EXIT[signal] ?? 1);
  const stop = async () => {
    unhandleSignals();
    await stopAll();
  };
  try {
    const coordinator = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      insecureNoAuth: false,
      state: {
        heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
        heartbeatMisses: DEFAULT_HEARTBEAT_MISSES,
      },
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      logger,
      schedulerHooks: options.schedulerHooks,
    });
    stops.push(() => coordinator.close());
    const { adminKey, workerToken } = coordinator.createdCredentials ?? (await storedKeys(dataDir));
    const wsUrl = toWebSocketUrl(coordinator.url);
    if (options.dataDir !== undefined) {
      // Before any worker connects: what an interrupted earlier run left must not run again.
      const client = await DtfClient.connect({ urls: [wsUrl], token: adminKey });
      try {
        const ended = await endInterruptedRuns(client, adminKey);
        if (ended > 0)
          progress(
            `${ended} earlier run(s) left unfinished in ${dataDir}: ended as interrupted, their tasks cancelled`,
          );
      } finally {
        await client.close();
      }
    }
    for (let i = 0; i < (options.nodeWorkers ?? 1); i++) {
      const worker = await startWorker({
        coordinatorUrls: [wsUrl],
        token: workerToken,
        slots: options.slots ?? cpus().length,
        labels: {},
        logger,
        runners: options.runners,
      });
      stops.push(() => worker.stop());
      await worker.registered;
    }
    if (browsers.length > 0) {
      const pool = await startPool({
        workerPageUrl: workerPageUrl(coordinator.url, workerToken),
        browsers,
        driver: 'puppeteer',
        logger,
        onProgress: (event) => progress(describePoolEvent(event)),
        onWorkerLost: workerLostReporter([coordinator.url], workerToken, logger),
      });
      stops.push(() => pool.stop());
      await pool.ready;
    }
    return { access: { urls: [wsUrl], token: adminKey }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
