import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { toHttpUrl } from '../client/index.js';
import {
  type AbortMessage,
  type AckMessage,
  type AssignMessage,
  type Assignment,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeMessage,
  type NodeCapabilities,
  PROTOCOL_VERSION,
  type RegisteredMessage,
  type ResultReport,
  ToWorkerMessage,
} from '../protocol/index.js';
import { ArtifactCache } from './artifact-cache.js';
import { probeCapabilities } from './capabilities.js';
import { CoordinatorConnection } from './connection.js';
import { Outbox } from './outbox.js';
import { batchResults } from './result-batches.js';
import { createRunners } from './runners/index.js';
import { TaskPool } from './task-pool.js';

export interface WorkerOptions {
  coordinatorUrls: string[];
  token?: string;
  slots: number;
  labels: Record<string, string>;
  name?: string;
  logger: Logger;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

export interface WorkerHandle {
  workerId: string;
  stop(): Promise<void>;
  /** Resolves after the first successful registration; rejects if stopped before it. */
  registered: Promise<void>;
}

/** Speaks the worker side of the protocol: registers, runs assignments, delivers results. */
class NodeWorker implements WorkerHandle {
  readonly workerId = randomUUID();
  readonly registered: Promise<void>;
  private markRegistered!: () => void;
  private failRegistration!: (err: Error) => void;
  /** Registered on the current socket; results and progress wait for this. */
  private registeredNow = false;
  private maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private flush: NodeJS.Immediate | undefined;
  private readonly log: Logger;
  private readonly outbox = new Outbox();
  private readonly pool: TaskPool;
  private readonly connection: CoordinatorConnection;

  constructor(
    private readonly options: WorkerOptions,
    private readonly capabilities: NodeCapabilities,
  ) {
    this.registered = new Promise((resolve, reject) => {
      this.markRegistered = resolve;
      this.failRegistration = reject;
    });
    this.registered.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
    this.log = options.logger.child({ workerId: this.workerId });
    const artifacts = new ArtifactCache(() => {
      const url = this.connection.lastUrl;
      return url === undefined ? undefined : { baseUrl: toHttpUrl(url), token: options.token };
    });
    this.pool = new TaskPool(options.slots, createRunners(artifacts), {
      started: (assignment) => this.reportStarted(assignment),
      finished: (report) => this.resultReady(report),
    });
    this.connection = new CoordinatorConnection({
      urls: options.coordinatorUrls,
      token: options.token,
      logger: this.log,
      backoff: options.reconnect,
      handlers: {
        opened: () => this.register(),
        message: (raw) => this.receive(raw),
        closed: () => {
          this.registeredNow = false;
        },
      },
    });
  }

  start(): void {
    this.connection.start();
  }

  async stop(): Promise<void> {
    clearImmediate(this.flush);
    // No effect once registered: a settled promise stays settled.
    this.failRegistration(new Error('worker stopped before registering'));
    await this.pool.abortAll('worker stopping');
    await this.connection.stop();
  }

  private register(): void {
    const { name, labels, slots } = this.options;
    this.connection.send({
      v: PROTOCOL_VERSION,
      type: 'register',
      workerId: this.workerId,
      name: name ?? `${os.hostname()}-${process.pid}`,
      capabilities: this.capabilities,
      labels,
      slots,
      inFlight: [...this.pool.leaseRefs(), ...this.outbox.leaseRefs()],
    });
  }

  private receive(raw: string): void {
    const decoded = decodeMessage(raw, ToWorkerMessage);
    if (!decoded.ok) {
      this.log.warn({ error: decoded.error }, 'ignoring invalid message from coordinator');
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'registered':
        this.onRegistered(message);
        return;
      case 'assign':
        this.onAssign(message);
        return;
      case 'ack':
        this.onAck(message);
        return;
      case 'abort':
        this.onAbort(message);
        return;
      case 'error':
        this.log.error(
          { code: message.code, id: message.id },
          `coordinator error: ${message.message}`,
        );
        return;
    }
  }

  private onRegistered(message: RegisteredMessage): void {
    if (message.workerId !== this.workerId) {
      this.log.warn(
        { assignedId: message.workerId },
        'coordinator registered a different worker id',
      );
    }
    this.registeredNow = true;
    this.maxMessageBytes = message.maxMessageBytes;
    this.connection.resetBackoff();
    this.connection.startHeartbeat(message.heartbeatIntervalMs);
    this.log.info({ pendingResults: this.outbox.size }, 'registered with coordinator');
    this.markRegistered();
    this.sendResults(this.outbox.takeAll());
  }

  private onAssign(message: AssignMessage): void {
    for (const task of message.tasks) {
      if (this.pool.has(task.taskId, task.attempt) || this.outbox.has(task.taskId, task.attempt)) {
        this.log.debug(
          { taskId: task.taskId, attempt: task.attempt },
          'already holding this attempt',
        );
        continue;
      }
      this.pool.submit(task);
    }
  }

  private onAck(message: AckMessage): void {
    for (const { taskId, attempt, recorded, reason } of message.acks) {
      this.outbox.remove(taskId, attempt);
      if (!recorded)
        this.log.info({ taskId, attempt, reason }, 'coordinator did not record result');
    }
  }

  private onAbort({ taskId, attempt, reason }: AbortMessage): void {
    const held = this.pool.abort(taskId, attempt, reason) || this.outbox.remove(taskId, attempt);
    this.log.info({ taskId, attempt, reason, held }, 'attempt aborted by coordinator');
  }

  private reportStarted({ taskId, attempt, leaseToken }: Assignment): void {
    if (!this.registeredNow) return; // progress is advisory; the result is what counts
    this.connection.send({
      v: PROTOCOL_VERSION,
      type: 'progress',
      taskId,
      attempt,
      leaseToken,
      phase: 'started',
    });
  }

  /** Queues a result; results that end in the same event-loop turn leave in one message. */
  private resultReady(report: ResultReport): void {
    this.outbox.add(report);
    this.flush ??= setImmediate(() => {
      this.flush = undefined;
      if (this.registeredNow) this.sendResults(this.outbox.takeUnsent());
    });
  }

  private sendResults(reports: ResultReport[]): void {
    for (const results of batchResults(reports, this.maxMessageBytes)) {
      this.connection.send({ v: PROTOCOL_VERSION, type: 'result', results });
    }
  }
}

/** Probes this machine, then connects to the coordinator and serves assignments until stopped. */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  if (options.coordinatorUrls.length === 0) throw new Error('give at least one coordinator URL');
  if (!Number.isInteger(options.slots) || options.slots < 1) {
    throw new Error(`slots must be a positive integer (got ${options.slots})`);
  }
  const worker = new NodeWorker(options, await probeCapabilities());
  worker.start();
  return worker;
}
