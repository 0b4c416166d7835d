import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_ADMISSION,
  DEFAULT_AGING_INTERVAL_MS,
  DEFAULT_BREAKER_COOLDOWN_MS,
  DEFAULT_BREAKER_FAILURES,
  DEFAULT_HEALTH_THRESHOLD,
  DEFAULT_HEARTBEAT_MISSES,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_RETAIN_DAYS,
  DEFAULT_RETAIN_RUNS,
  DEFAULT_SNAPSHOT_ENTRIES,
} from '../../coordinator/defaults.js';
import {
  DEFAULT_COORDINATOR_PORT,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '../../protocol/index.js';
import { createLogger } from '../logger.js';
import { givenKeys } from '../options/given-keys.js';
import { collectGroupWeight } from '../options/group-weights.js';
import { integerIn, portNumber, positiveInteger } from '../options/integers.js';
import { readOptionFile } from '../options/option-file.js';
import { parsePeers } from '../options/peers.js';
import { collectRepeated } from '../options/repeated.js';
import { printLine } from '../output.js';
import { stopOnSignal } from '../stop-on-signal.js';
import { UsageError } from '../usage-error.js';

interface CoordinatorOptions {
  host: string;
  port: number;
  dataDir: string;
  insecureNoAuth?: boolean;
  heartbeatMs: number;
  heartbeatMisses: number;
  healthThreshold: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  agingIntervalMs: number;
  groupWeight?: Record<string, number>;
  preemption: boolean;
  maxMessageBytes: number;
  maxArtifactBytes: number;
  id?: string;
  peers?: Map<string, string>;
  clusterToken?: string;
  snapshotEntries: number;
  raftTickMs?: number;
  raftElectionTicks?: number;
  retainRuns: number;
  retainDays: number;
  plugin?: string[];
  tlsCert?: string;
  tlsKey?: string;
  submitRate: number;
  submitBurst: number;
  maxQueuedPerKey: number;
  maxQueued: number;
}

/** `--tls-cert` and `--tls-key`, read: both or neither. */
function tlsFiles(options: CoordinatorOptions): { cert: string; key: string } | undefined {
  const { tlsCert, tlsKey } = options;
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) {
    throw new UsageError('--tls-cert and --tls-key go together (dtf certs dev makes both)');
  }
  return { cert: readOptionFile('--tls-cert', tlsCert), key: readOptionFile('--tls-key', tlsKey) };
}

/** Cluster mode's settings, or undefined for a single coordinator; a usage error if half given. */
function clusterOptions(options: CoordinatorOptions) {
  if (options.peers === undefined && options.id === undefined) {
    if (options.raftTickMs !== undefined || options.raftElectionTicks !== undefined) {
      throw new UsageError(
        '--raft-tick-ms and --raft-election-ticks need cluster mode (--id, --peers)',
      );
    }
    return undefined;
  }
  if (options.peers === undefined || options.id === undefined) {
    throw new UsageError('cluster mode needs both --id and --peers');
  }
  if (!options.peers.has(options.id)) {
    throw new UsageError(
      `--id ${options.id} is not one of --peers (${[...options.peers.keys()].join(', ')})`,
    );
  }
  const token = options.clusterToken ?? process.env.DTF_CLUSTER_TOKEN;
  if (token === undefined || token.length < 16) {
    throw new UsageError(
      'cluster mode needs a shared secret of at least 16 characters: --cluster-token or DTF_CLUSTER_TOKEN',
    );
  }
  return {
    id: options.id,
    peers: options.peers,
    token,
    snapshotEntries: options.snapshotEntries,
    tickMs: options.raftTickMs,
    electionTicks: options.raftElectionTicks,
  };
}

export function registerCoordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run a coordinator: the task queue, REST API and WebSocket endpoint')
    .addHelpText(
      'after',
      '\nDTF_ADMIN_KEY and DTF_WORKER_TOKEN (both, 24+ random characters) give its keys up front instead of\ncreating them on the first start (a Kubernetes Secret, say); only their hashes are kept.',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on; 0 picks a free one',
      portNumber,
      DEFAULT_COORDINATOR_PORT,
    )
    .option('--data-dir <dir>', 'directory for the database and tokens', '.dtf')
    .option('--insecure-no-auth', 'accept clients and workers without a token')
    .option(
      '--heartbeat-ms <ms>',
      'interval of worker heartbeats',
      positiveInteger,
      DEFAULT_HEARTBEAT_INTERVAL_MS,
    )
    .option(
      '--heartbeat-misses <n>',
      'heartbeats a worker may miss before it counts as dead',
      positiveInteger,
      DEFAULT_HEARTBEAT_MISSES,
    )
    .option(
      '--health-threshold <score>',
      'workers with a health score (0-100) under this get no new tasks',
      integerIn(0, 100),
      DEFAULT_HEALTH_THRESHOLD,
    )
    .option(
      '--breaker-failures <n>',
      "consecutive infrastructure failures or timeouts that open a worker's circuit breaker",
      positiveInteger,
      DEFAULT_BREAKER_FAILURES,
    )
    .option(
      '--breaker-cooldown-ms <ms>',
      'how long an open breaker waits before it lets one probe task through',
      integerIn(0, Number.MAX_SAFE_INTEGER),
      DEFAULT_BREAKER_COOLDOWN_MS,
    )
    .option(
      '--aging-interval-ms <ms>',
      'a queued task gains one priority level per this many ms waited; 0 turns aging off',
      integerIn(0, Number.MAX_SAFE_INTEGER),
      DEFAULT_AGING_INTERVAL_MS,
    )
    .option(
      '--group-weight <group=weight>',
      "a group's fair share of placements relative to others (default 1; repeatable)",
      collectGroupWeight,
    )
    .option('--no-preemption', 'never stop a running task for a higher-priority one')
    .option(
      '--max-message-bytes <n>',
      'largest WebSocket message accepted',
      positiveInteger,
      DEFAULT_MAX_MESSAGE_BYTES,
    )
    .option(
      '--max-artifact-bytes <n>',
      'largest file (model) PUT /api/artifacts accepts',
      positiveInteger,
      DEFAULT_MAX_ARTIFACT_BYTES,
    )
    .option(
      '--retain-runs <n>',
      'runs of each suite the results store keeps; older ones are pruned',
      positiveInteger,
      DEFAULT_RETAIN_RUNS,
    )
    .option(
      '--retain-days <n>',
      'days the results store keeps a run',
      positiveInteger,
      DEFAULT_RETAIN_DAYS,
    )
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this certificate (PEM; dtf certs dev)')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option(
      '--submit-rate <tasks/s>',
      'tasks per second each managed key may submit (the admin key is not limited); 0: no limit',
      integerIn(0, Number.MAX_SAFE_INTEGER),
      DEFAULT_ADMISSION.ratePerKey,
    )
    .option(
      '--submit-burst <tasks>',
      'tasks a managed key may submit at once before --submit-rate applies',
      positiveInteger,
      DEFAULT_ADMISSION.burstPerKey,
    )
    .option(
      '--max-queued-per-key <n>',
      'unfinished tasks one key may have; beyond, its submits get 429 queue_full',
      positiveInteger,
      DEFAULT_ADMISSION.maxQueuedPerKey,
    )
    .option(
      '--max-queued <n>',
      'unfinished tasks the coordinator holds, all keys together',
      positiveInteger,
      DEFAULT_ADMISSION.maxQueued,
    )
    .option('--id <id>', "this coordinator's member id in a cluster (one of --peers)")
    .option(
      '--peers <list>',
      'cluster mode: every member as id=http://host:port, comma-separated, this one included',
      parsePeers,
    )
    .option(
      '--cluster-token <secret>',
      'secret the cluster members present to each other (default: $DTF_CLUSTER_TOKEN)',
    )
    .option(
      '--snapshot-entries <n>',
      'cluster mode: applied log entries after which a member snapshots its state and compacts its log, keeping the last tenth',
      positiveInteger,
      DEFAULT_SNAPSHOT_ENTRIES,
    )
    .option(
      '--raft-tick-ms <ms>',
      'cluster mode: one Raft tick; the leader sends heartbeats every tick (default 50)',
      positiveInteger,
    )
    .option(
      '--raft-election-ticks <n>',
      'cluster mode: a follower that hears no leader for a random 1-2x this many ticks starts an election (default 10)',
      integerIn(2, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--plugin <module>',
      "a plugin module whose scheduler hooks place this coordinator's tasks (repeatable; docs/plugins.md)",
      collectRepeated,
    )
    .action(async (options: CoordinatorOptions) => {
      const cluster = clusterOptions(options);
      const tls = tlsFiles(options);
      const keys = givenKeys(process.env);
      if (keys !== undefined && options.insecureNoAuth === true) {
        throw new UsageError(
          'DTF_ADMIN_KEY and DTF_WORKER_TOKEN ask for keys: not with --insecure-no-auth',
        );
      }
      // Loaded here so that client commands do not load the server and its database.
      const { startCoordinator } = await import('../../coordinator/index.js');
      const { loadPlugins } = await import('../plugins/load-plugins.js');
      const plugins = await loadPlugins(options.plugin ?? [], process.cwd(), '--plugin');
      const logger = createLogger();
      const coordinator = await startCoordinator({
        host: options.host,
        port: options.port,
        // Absolute from here on: nothing the coordinator does with it depends on the cwd.
        dataDir: resolve(options.dataDir),
        insecureNoAuth: options.insecureNoAuth === true,
        state: {
          heartbeatIntervalMs: options.heartbeatMs,
          heartbeatMisses: options.heartbeatMisses,
          healthThreshold: options.healthThreshold,
          breakerFailures: options.breakerFailures,
          breakerCooldownMs: options.breakerCooldownMs,
          scheduling: {
            agingIntervalMs: options.agingIntervalMs,
            groupWeights: options.groupWeight ?? {},
            preemption: options.preemption,
          },
        },
        maxMessageBytes: options.maxMessageBytes,
        maxArtifactBytes: options.maxArtifactBytes,
        logger,
        cluster,
        retention: { runs: options.retainRuns, days: options.retainDays },
        schedulerHooks: plugins.scheduler,
        givenKeys: keys,
        tls,
        admission: {
          ratePerKey: options.submitRate,
          burstPerKey: options.submitBurst,
          maxQueuedPerKey: options.maxQueuedPerKey,
          maxQueued: options.maxQueued,
        },
      });
      stopOnSignal(() => coordinator.close(), logger);
      printLine(`DTF coordinator listening on ${coordinator.url}`);
      printLine(
        `dashboard: ${coordinator.url}/ (with the admin key, or a viewer key: dtf keys create)`,
      );
    });
}
