import os from 'node:os';
import type { Logger } from 'pino';
import { runnerFeature, toHttpUrl } from '../protocol/index.js';
import { newWorkerId, type PluginRunner, WorkerSession } from '../worker-core/index.js';
import { ArtifactCache } from './artifact-cache.js';
import { probeCapabilities } from './capabilities.js';
import { CoordinatorConnection } from './connection.js';
import { createRunners } from './runners/index.js';
import { WarmVitests } from './runners/vitest-host/warm-vitests.js';
import type { TaskLimits } from './task-limits.js';

export interface WorkerOptions {
  coordinatorUrls: string[];
  token?: string;
  slots: number;
  labels: Record<string, string>;
  name?: string;
  logger: Logger;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** How long running tasks may take once a drain starts (default 30 s). */
  drainGraceMs?: number;
  /** How long a drain waits for the coordinator's acknowledgements at the end (default 10 s). */
  drainAckTimeoutMs?: number;
  /** Plugin runners by name: `plugin` tasks naming one run here (see docs/plugins.md). */
  runners?: ReadonlyMap<string, PluginRunner>;
  /** What command tasks may run, where, and with how much CPU and memory. */
  limits?: TaskLimits;
}

export interface WorkerHandle {
  /** The id it registers under (a new one if the coordinator refused the first). */
  readonly workerId: string;
  /** Stops now: aborts running tasks (the coordinator reassigns them when it notices). */
  stop(): Promise<void>;
  /**
   * Drains, then stops: takes no new tasks, lets running ones finish within `graceMs` (default
   * `drainGraceMs`), hands back the rest, waits for the coordinator's acknowledgements. Also
   * what a `drain` from the coordinator (`dtf drain`) starts. A second call joins the first.
   */
  drain(graceMs?: number): Promise<void>;
  /** Stops at once, handing back what runs if it can (a second signal during a drain). */
  stopNow(): Promise<void>;
  /** Whether it runs anything now (or holds an attempt waiting for a slot). */
  readonly busy: boolean;
  /** Resolves once the worker has stopped, however it was stopped. */
  stopped: Promise<void>;
  /** Resolves after the first successful registration; rejects if stopped or refused before it. */
  registered: Promise<void>;
  /**
   * Rejects, naming the problem, when the coordinator refuses the worker token: final, the
   * worker has stopped (and `stopped` does not resolve). It never resolves.
   */
  refused: Promise<never>;
}

/** Probes this machine, then connects to the coordinator and serves assignments until stopped. */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  if (options.coordinatorUrls.length === 0) throw new Error('give at least one coordinator URL');
  if (!Number.isInteger(options.slots) || options.slots < 1) {
    throw new Error(`slots must be a positive integer (got ${options.slots})`);
  }
  const runners = options.runners ?? new Map<string, PluginRunner>();
  const probed = await probeCapabilities();
  const capabilities = {
    ...probed,
    features: [...probed.features, ...[...runners.keys()].map(runnerFeature)],
  };
  const workerId = newWorkerId();
  // The coordinator may have the worker take a new id (see `WorkerSession`): each line names
  // the id the worker registers under when it is written.
  let currentId = () => workerId;
  const log = options.logger.child(
    {},
    { formatters: { log: (fields) => ({ workerId: currentId(), ...fields }) } },
  );
  let connection: CoordinatorConnection | undefined;
  // Artifacts come from (and stage outputs go to) the coordinator connected to at the time.
  const coordinatorHttp = () => {
    const url = connection?.lastUrl;
    return url === undefined ? undefined : { baseUrl: toHttpUrl(url), token: options.token };
  };
  const artifacts = new ArtifactCache(coordinatorHttp);
  const uploads = () => {
    const http = coordinatorHttp();
    return http === undefined ? undefined : { ...http, identity: session.currentIdentity };
  };
  let draining: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  // Each slot may leave one warm vitest for the next task of its project.
  const warmVitests = new WarmVitests(options.slots);
  const stop = (how: () => Promise<void>) =>
    how()
      .finally(() => warmVitests.close())
      .finally(markStopped);
  const drain = (graceMs?: number): Promise<void> => {
    draining ??= stop(async () => {
      await session.drain(graceMs);
      await session.stop();
    });
    return draining;
  };
  const session = new WorkerSession({
    workerId,
    name: options.name ?? `${os.hostname()}-${process.pid}`,
    capabilities,
    labels: options.labels,
    slots: options.slots,
    runAssignment: createRunners(artifacts, uploads, runners, warmVitests, options.limits ?? {}),
    log,
    ...(options.drainGraceMs === undefined ? {} : { drainGraceMs: options.drainGraceMs }),
    ...(options.drainAckTimeoutMs === undefined
      ? {}
      : { drainAckTimeoutMs: options.drainAckTimeoutMs }),
    onDrainRequested: (graceMs) => void drain(graceMs),
    connect: (handlers) => {
      connection = new CoordinatorConnection({
        urls: options.coordinatorUrls,
        token: options.token,
        logger: log,
        backoff: options.reconnect,
        handlers,
      });
      return connection;
    },
  });
  currentId = () => session.workerId;
  session.start();
  return {
    get workerId() {
      return session.workerId;
    },
    get busy() {
      return session.isBusy;
    },
    registered: session.registered,
    refused: session.refused,
    stopped,
    stop: () => stop(() => session.stop()),
    drain,
    stopNow: () => stop(() => session.stopNow('the worker was stopped at once (second signal)')),
  };
}
