import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { RAFT_PATH } from '../protocol/index.js';
import { Admission, type AdmissionLimits, unfinishedCounts } from './admission.js';
import { type CreatedCredentials, Credentials, type GivenKeys } from './auth/index.js';
import { BackoffTimer } from './backoff-timer.js';
import { checkpointsOnceBusy } from './checkpoints-once-busy.js';
import {
  type ClusterOptions,
  clusterArtifacts,
  RaftHost,
  restoreAppliedState,
} from './cluster/index.js';
import type { CoordinatorContext } from './context.js';
import { ClusterCredentials, openCredentials } from './credentials-setup.js';
import {
  DEFAULT_ADMISSION,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_RETAIN_DAYS,
  DEFAULT_RETAIN_RUNS,
} from './defaults.js';
import { createHttpHandler, createListener, type TlsFiles } from './http/index.js';
import { startLivenessLoop } from './liveness-loop.js';
import { CoordinatorMetrics } from './metrics.js';
import { UnschedulableExplainer } from './queries.js';
import { type RunRetention, startRunRetention } from './runs.js';
import { type NamedSchedulerHooks, placementHooks, schedule } from './scheduler/index.js';
import { RecentActivations } from './shard-stage/index.js';
import type { Command, CoordinatorState, StateConfig, StateEvent } from './state/index.js';
import {
  ArtifactStore,
  GroupCommit,
  loadState,
  lockDataDir,
  makeDataDirPrivate,
  openDatabase,
} from './store/index.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { RegressionWatch } from './webhooks/regressions.js';
import { WsGateway } from './ws/index.js';

export interface CoordinatorOptions {
  /** The state machine's settings: heartbeats, worker health, scheduling policies. */
  state: StateConfig;
  host: string;
  port: number;
  dataDir: string;
  /** Accept every connection without a token: local demos only. */
  insecureNoAuth: boolean;
  maxMessageBytes: number;
  /** Largest file `PUT /api/artifacts` accepts (models, mostly). */
  maxArtifactBytes?: number;
  logger: Logger;
  /** Cluster mode: this coordinator is one member of a Raft group. */
  cluster?: ClusterOptions | undefined;
  /** What the results store keeps; default 200 runs of each suite, 90 days. */
  retention?: Partial<RunRetention> | undefined;
  /**
   * The admin key and worker token to use instead of creating them on the first start (a
   * Kubernetes Secret's): only their hashes are kept; a data dir holding others refuses them.
   */
  givenKeys?: GivenKeys | undefined;
  /** Plugins' say in where tasks go (see `SchedulerHooks`). */
  schedulerHooks?: readonly NamedSchedulerHooks[] | undefined;
  /** Serve HTTPS and WSS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: TlsFiles | undefined;
  /** Submit rate per key and queue bounds; each left out takes its default. */
  admission?: Partial<AdmissionLimits> | undefined;
}

export interface RunningCoordinator {
  /** `http://host:port` */
  url: string;
  port: number;
  /** The plain keys, when this start created them (a new data dir); only hashes are kept. */
  createdCredentials: CreatedCredentials | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store, rebuilds the state from it, and serves REST and `/ws`. Every change goes
 * through one group-commit loop: apply, schedule, write, then announce.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const { logger, dataDir } = options;
  const startedAt = Date.now();
  const { db, state, lock } = openStore(options, startedAt);
  let opened: ReturnType<typeof openCredentials>;
  try {
    opened = openCredentials(
      { ...options, clustered: options.cluster !== undefined, startedAt },
      db,
      state,
      logger,
    );
  } catch (error) {
    db.close();
    lock.release();
    throw error;
  }
  const { credentials, created: createdCredentials } = opened;
  // Managed keys are the state's: replicated in a cluster, checked wherever a token is.
  credentials?.withKeys(() => state.keys.values());

  // What cannot go on without losing what is stored: a restart rebuilds the state from disk.
  const stopOn = (why: string) => (error: unknown) => {
    logger.fatal({ err: error }, why);
    process.exit(70);
  };
  // A member given keys takes only those: the cluster's being others is the operator's mistake.
  const takeClusterCredentials = (kept: NonNullable<CoordinatorState['credentials']>) => {
    const problem = options.givenKeys && Credentials.mismatch(options.givenKeys, kept);
    if (problem) stopOn(problem)(new Error(problem));
    credentials?.set(kept);
  };
  const committedListeners: Array<(events: StateEvent[]) => void> = [];
  const batchListeners: Array<(stats: { commands: number; ms: number }) => void> = [];
  const hooks = placementHooks(options.schedulerHooks ?? [], logger);
  const placements = (s: CoordinatorState): Command | undefined => {
    const found = schedule(s, hooks);
    return found.length === 0
      ? undefined
      : { type: 'AssignTasks', now: Date.now(), placements: found };
  };
  const commit = new GroupCommit(db, state, {
    // In a cluster the leader schedules from the log instead (see RaftHost).
    followUp: options.cluster === undefined ? placements : () => undefined,
    onCommitted: (events) => {
      for (const listener of committedListeners) listener(events);
    },
    onBatch: (stats) => {
      for (const listener of batchListeners) listener(stats);
    },
    onFatal: stopOn('a commit failed; stopping so a restart rebuilds the state from disk'),
  });
  // A peer frame carries batches of commands, and a snapshot: room for several messages.
  const maxPeerFrameBytes = Math.max(options.maxMessageBytes * 4, 64 * 1024 * 1024);
  const cluster =
    options.cluster === undefined
      ? undefined
      : new RaftHost({
          ...options.cluster,
          db,
          commit,
          maxFrameBytes: maxPeerFrameBytes,
          logger,
          followUp: placements,
          onRoleChange: (leading) => {
            // Workers and clients of a member that stops leading move to the new leader.
            if (!leading) gateway.disconnectAll();
          },
          onFatal: stopOn("cannot install the leader's state snapshot; stopping"),
          onStateReplaced: () => {
            if (state.credentials !== undefined) takeClusterCredentials(state.credentials);
            credentials?.keysChanged();
            ctx.explainer.reset();
          },
        });
  const artifacts = new ArtifactStore(
    dataDir,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
  );
  const ctx: CoordinatorContext = {
    state,
    commit: cluster ?? commit,
    admission: new Admission(
      { ...DEFAULT_ADMISSION, ...options.admission },
      unfinishedCounts(state),
    ),
    cluster,
    artifacts,
    artifactReplicas:
      options.cluster === undefined || cluster === undefined
        ? undefined
        : clusterArtifacts(options.cluster, cluster, artifacts, logger),
    recentActivations: new RecentActivations(),
    explainer: new UnschedulableExplainer(state),
    logger,
    maxMessageBytes: options.maxMessageBytes,
    startedAt,
    retention: {
      runs: options.retention?.runs ?? DEFAULT_RETAIN_RUNS,
      days: options.retention?.days ?? DEFAULT_RETAIN_DAYS,
    },
    now: () => Date.now(),
  };
  const gateway = new WsGateway(ctx, credentials);
  const metrics = new CoordinatorMetrics(state, () => gateway.connections);
  const checkpoints = checkpointsOnceBusy(db, dataDir, logger);
  const backoffs = new BackoffTimer(state, ctx.commit);
  const webhooks = new WebhookDispatcher(ctx);
  const regressions = new RegressionWatch(ctx);
  committedListeners.push(
    (events) => {
      for (const e of events) {
        if (e.type === 'CredentialsSet') takeClusterCredentials(e.credentials);
        else if (e.type === 'KeyChanged') credentials?.keysChanged();
      }
    },
    (events) => metrics.count(events),
    (events) => gateway.deliver(events),
    (events) => webhooks.onCommitted(events),
    (events) => regressions.onCommitted(events),
  );
  batchListeners.push(
    ({ ms }) => metrics.observeBatch(ms),
    (stats) => checkpoints.onBatch(stats),
    () => backoffs.arm(),
  );

  const { server, listener, closeAllConnections } = createListener(
    createHttpHandler({
      ctx,
      db,
      metrics,
      credentials,
      webhooks,
      peers:
        cluster === undefined
          ? undefined
          : { transport: cluster.transport, maxFrameBytes: maxPeerFrameBytes },
    }),
    options.tls,
  );
  gateway.attach(server);
  if (cluster !== undefined) {
    gateway.route(RAFT_PATH, (req, socket, head) => cluster.transport.upgrade(req, socket, head));
  }
  try {
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    // Not listening (the port is taken): let a later start on this data dir have it.
    gateway.close();
    await checkpoints.stop();
    db.close();
    lock.release();
    throw error;
  }
  const { port } = listener.address() as AddressInfo;

  const clusterCredentials =
    cluster === undefined || credentials === undefined
      ? undefined
      : new ClusterCredentials(cluster, state, dataDir, logger, options.givenKeys);
  const stopLiveness = startLivenessLoop({
    state,
    commit: ctx.commit,
    cluster,
    heartbeatIntervalMs: options.state.heartbeatIntervalMs,
    logger,
    onTick: () => clusterCredentials?.ensure(),
  });
  cluster?.start();
  const stopRetention = startRunRetention(ctx);
  webhooks.start();

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    port,
    createdCredentials,
    async close() {
      // A leader that stops hands over first, so the cluster needs no election timeout.
      if (cluster?.isLeader) {
        await cluster
          .transferLeadership()
          .catch((error: unknown) =>
            logger.warn({ err: error }, 'stopping without a leadership transfer'),
          );
      }
      stopLiveness();
      stopRetention();
      webhooks.stop();
      cluster?.close();
      backoffs.stop();
      gateway.close();
      closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      commit.close();
      await checkpoints.stop();
      db.close();
      lock.release();
    },
  };
}

/** The data dir made private, its database opened and the state rebuilt from it. */
function openStore(
  options: CoordinatorOptions,
  startedAt: number,
): { db: Database.Database; state: CoordinatorState; lock: { release(): void } } {
  const { logger } = options;
  const tightened = makeDataDirPrivate(options.dataDir);
  const lock = lockDataDir(options.dataDir);
  if (tightened.length > 0) {
    logger.warn(
      { tightened },
      'the data dir was readable by other users: now only its owner can read it',
    );
  }
  const db = openDatabase(options.dataDir);
  const restored =
    options.cluster === undefined ? undefined : restoreAppliedState(db, options.state);
  const state = restored?.state ?? loadState(db, options.state, startedAt);
  logger.info(
    {
      tasks: state.tasks.size,
      queued: state.ready.size,
      workers: state.workers.size,
      ...(restored === undefined ? {} : { snapshotIndex: restored.index }),
    },
    'state loaded',
  );
  return { db, state, lock };
}
