import type { Command } from 'commander';
import {
  DEFAULT_COORDINATOR_PORT,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MISSES,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '../../protocol/index.js';
import { createLogger } from '../logger.js';
import { portNumber, positiveInteger } from '../options/integers.js';
import { printLine } from '../output.js';
import { stopOnSignal } from '../stop-on-signal.js';

interface CoordinatorOptions {
  host: string;
  port: number;
  dataDir: string;
  insecureNoAuth?: boolean;
  heartbeatMs: number;
  heartbeatMisses: number;
  maxMessageBytes: number;
  maxArtifactBytes: number;
}

export function registerCoordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run a coordinator: the task queue, REST API and WebSocket endpoint')
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
    .action(async (options: CoordinatorOptions) => {
      // Loaded here so that client commands do not load the server and its database.
      const { startCoordinator } = await import('../../coordinator/index.js');
      const logger = createLogger();
      const coordinator = await startCoordinator({
        host: options.host,
        port: options.port,
        dataDir: options.dataDir,
        insecureNoAuth: options.insecureNoAuth === true,
        heartbeatIntervalMs: options.heartbeatMs,
        heartbeatMisses: options.heartbeatMisses,
        maxMessageBytes: options.maxMessageBytes,
        maxArtifactBytes: options.maxArtifactBytes,
        logger,
      });
      stopOnSignal(() => coordinator.close(), logger);
      printLine(`DTF coordinator listening on ${coordinator.url}`);
    });
}
