import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import {
  DEFAULT_MAX_ARTIFACT_BYTES,
  MAX_RECONNECT_DELAY_MS,
  RAFT_PATH,
} from '../protocol/index.js';
import { CREDENTIALS_FILE, type CreatedCredentials, Credentials } from './auth/index.js';
import { BackoffTimer } from './backoff-timer.js';
import { restoreAppliedState } from './cluster/applied-state.js';
import { clusterArtifacts } from './cluster/cluster-artifacts.js';
import { leaderRedirect } from './cluster/leader-redirect.js';
import { type ClusterOptions, RaftHost } from './cluster/raft-host.js';
import { raftRestHandler } from './cluster/raft-rest.js';
import { readGate } from './cluster/read-gate.js';
import type { CoordinatorContext } from './context.js';
import { HealthWatch } from './health-watch.js';
import { createApp } from './http/app.js';
import { taskReadHandler } from './http/task-read.js';
import { taskSubmitHandler } from './http/task-submit.js';
import { LoopStalls } from './loop-stalls.js';
import { CoordinatorMetrics } from './metrics.js';
import { UnschedulableExplainer } from './queries.js';
import { expiredLeases, expiredWorkers, schedule } from './scheduler/index.js';
import { RecentActivations } from './shard-stage/recent-activations.js';
import type { Command, CoordinatorState, StateConfig, StateEvent } from './state/index.js';
import {
  ArtifactStore,
  GroupCommit,
  loadState,
  makeDataDirPrivate,
  openDatabase,
  startBackgroundCheckpoints,
} from './store/index.js';
import { WsGateway } from './ws/gateway.js';

/** How long the event loop's stalls are remembered for the workers' heartbeat allowance. */
const STALLS_KEPT_MS = 60_000;

/** Commands after which WAL checkpoints move to their own thread (see `startBackgroundCheckpoints`). */
const CHECKPOINT_THREAD_AFTER_COMMANDS = 1_000;

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
  const { logger } = options;
  const tightened = makeDataDirPrivate(options.dataDir);
  if (tightened.length > 0) {
    logger.warn(
      { tightened },
      'the data dir was readable by other users: now only its owner can read it',
    );
  }
  const db = openDatabase(options.dataDir);
  const startedAt = Date.now();
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

  let credentials: Credentials | undefined;
  let createdCredentials: CreatedCredentials | undefined;
  if (options.insecureNoAuth) {
    logger.warn(
      'authentication is OFF (--insecure-no-auth): anyone who can reach this port can submit commands',
    );
  } else if (options.cluster !== undefined) {
    // One admin key and worker token for the whole cluster: a leader creates them and the log
    // carries their hashes to every member (see `createClusterCredentials` below).
    credentials = Credentials.pending();
    // Restored from a snapshot taken after the credentials' entry: no event will set them.
    if (state.credentials !== undefined) credentials.set(state.credentials);
  } else {
    const ensured = Credentials.ensure(db, options.dataDir, startedAt);
    credentials = ensured.credentials;
    createdCredentials = ensured.created;
    if (ensured.created !== undefined) {
      logger.info(
        {
          adminKey: ensured.created.adminKey,
          workerToken: ensured.created.workerToken,
          file: ensured.created.file,
        },
        `created credentials; they are shown once and kept in ${CREDENTIALS_FILE}`,
      );
    }
  }

  const committedListeners: Array<(events: StateEvent[]) => void> = [];
  const batchListeners: Array<(stats: { commands: number; ms: number }) => void> = [];
  const placements = (s: CoordinatorState): Command | undefined => {
    const found = schedule(s);
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
    onFatal: (error) => {
      logger.fatal(
        { err: error },
        'a commit failed; stopping so a restart rebuilds the state from disk',
      );
      process.exit(70);
    },
  });
  const onSnapshotRefused = (error: unknown) => {
    logger.fatal({ err: error }, "cannot install the leader's state snapshot; stopping");
    process.exit(70);
  };
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
          onFatal: onSnapshotRefused,
          onStateReplaced: () => {
            if (state.credentials !== undefined) credentials?.set(state.credentials);
            ctx.explainer.reset();
          },
        });
  const artifacts = new ArtifactStore(
    options.dataDir,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
  );
  const replicas =
    options.cluster === undefined || cluster === undefined
      ? undefined
      : clusterArtifacts(options.cluster, cluster, artifacts, logger);
  const ctx: CoordinatorContext = {
    state,
    commit: cluster ?? commit,
    cluster,
    artifacts,
    artifactReplicas: replicas?.replicator,
    recentActivations: new RecentActivations(),
    explainer: new UnschedulableExplainer(state),
    logger,
    maxMessageBytes: options.maxMessageBytes,
    startedAt,
    now: () => Date.now(),
  };
  const gateway = new WsGateway(ctx, credentials);
  const metrics = new CoordinatorMetrics(state, () => gateway.connections);
  committedListeners.push(
    (events) => {
      for (const e of events) if (e.type === 'CredentialsSet') credentials?.set(e.credentials);
    },
    (events) => metrics.count(events),
    (events) => gateway.deliver(events),
  );
  batchListeners.push(({ ms }) => metrics.observeBatch(ms));
  // The checkpoint thread costs ~10 MB; a coordinator that has seen little writing goes without.
  let stopCheckpoints: (() => Promise<void>) | undefined;
  let commandsSeen = 0;
  batchListeners.push(({ commands }) => {
    commandsSeen += commands;
    if (stopCheckpoints !== undefined || commandsSeen < CHECKPOINT_THREAD_AFTER_COMMANDS) return;
    stopCheckpoints = startBackgroundCheckpoints(db, options.dataDir, 250, (error) =>
      logger.warn(
        { error },
        'background WAL checkpoint failed; the main connection will checkpoint',
      ),
    );
  });

  const app = createApp(ctx, db, metrics, credentials);
  const readTask = taskReadHandler(ctx, credentials);
  const submitTask = taskSubmitHandler(ctx, credentials);
  const raftRest =
    cluster === undefined ? () => false : raftRestHandler(cluster.transport, maxPeerFrameBytes);
  const artifactPeers = replicas?.peerHandler ?? (() => false);
  const redirect = cluster === undefined ? () => false : leaderRedirect(cluster);
  const gate = cluster === undefined ? () => false : readGate(cluster, credentials);
  const server = createServer((req, res) => {
    const serve = () => {
      if (!readTask(req, res) && !submitTask(req, res)) app(req, res);
    };
    const handled =
      raftRest(req, res) || artifactPeers(req, res) || gate(req, res, serve) || redirect(req, res);
    if (handled) return;
    serve();
  });
  gateway.attach(server);
  if (cluster !== undefined) {
    gateway.route(RAFT_PATH, (req, socket, head) => cluster.transport.upgrade(req, socket, head));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;

  const healthWatch = new HealthWatch(state, ctx.commit);
  // Cluster mode: a leader that finds no credentials in the applied state creates them; the
  // proposal carries only hashes, and the plain keys are written and logged only if it is the
  // entry that took effect (another leader's may have been applied first).
  let proposingCredentials = false;
  const createClusterCredentials = () => {
    if (cluster === undefined || credentials === undefined || proposingCredentials) return;
    if (!cluster.isLeader || state.credentials !== undefined) return;
    proposingCredentials = true;
    const keys = Credentials.generate();
    cluster.submit(
      {
        type: 'SetCredentials',
        now: Date.now(),
        adminKeySha256: keys.adminKeySha256,
        workerTokenSha256: keys.workerTokenSha256,
      },
      (events) => {
        proposingCredentials = false;
        if (!events.some((e) => e.type === 'CredentialsSet')) return;
        let file: string | undefined;
        try {
          file = Credentials.writeFile(options.dataDir, keys);
        } catch (error) {
          logger.error(
            { err: error },
            `could not write ${CREDENTIALS_FILE}; the log below has the keys`,
          );
        }
        logger.info(
          { adminKey: keys.adminKey, workerToken: keys.workerToken, file },
          `created the cluster's credentials; they are shown once and kept in ${CREDENTIALS_FILE}`,
        );
      },
      () => {
        proposingCredentials = false;
      },
    );
  };
  const livenessIntervalMs = Math.max(50, Math.floor(options.state.heartbeatIntervalMs / 2));
  const stalls = new LoopStalls(livenessIntervalMs, STALLS_KEPT_MS);
  const liveness = setInterval(() => {
    const now = Date.now();
    const recentStalls = stalls.tick(now);
    createClusterCredentials();
    // A new leader first gives workers their longest reconnect delay to find it.
    if (
      cluster !== undefined &&
      (!cluster.isLeader || now - cluster.leaderSince < MAX_RECONNECT_DELAY_MS)
    ) {
      return;
    }
    healthWatch.check(now);
    for (const command of expiredWorkers(state, now, recentStalls)) {
      logger.warn({ workerId: command.workerId, reason: command.reason }, 'worker expired');
      ctx.commit.submit(command);
    }
    for (const command of expiredLeases(state, now)) {
      logger.warn({ taskId: command.lease.taskId, reason: command.reason }, 'lease expired');
      ctx.commit.submit(command);
    }
  }, livenessIntervalMs);
  const backoffs = new BackoffTimer(state, ctx.commit);
  batchListeners.push(() => backoffs.arm());
  cluster?.start();

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  return {
    url,
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
      clearInterval(liveness);
      cluster?.close();
      backoffs.stop();
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      commit.close();
      await stopCheckpoints?.();
      db.close();
    },
  };
}
