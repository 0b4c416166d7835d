import {
  type AbortMessage,
  type AckMessage,
  type AssignMessage,
  type Assignment,
  type Capabilities,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeMessage,
  type Labels,
  PROTOCOL_VERSION,
  type RegisteredMessage,
  type ResultReport,
  ToWorkerMessage,
} from '../protocol/index.js';
import type { ConnectionHandlers, WorkerConnection } from './connection.js';
import type { WorkerLog } from './log.js';
import { Outbox } from './outbox.js';
import { batchResults } from './result-batches.js';
import { type RunAssignment, TaskPool } from './task-pool.js';

/** What a session tells its host (a status display, say) as things happen. */
export interface SessionObserver {
  registered?(): void;
  disconnected?(): void;
  taskStarted?(assignment: Assignment): void;
  taskFinished?(report: ResultReport): void;
}

export interface WorkerSessionOptions {
  /** Chosen once per process (or page), so a reconnect resumes the same worker. */
  workerId: string;
  name: string;
  capabilities: Capabilities;
  labels: Labels;
  slots: number;
  runAssignment: RunAssignment;
  /** Builds the connection; the session passes the handlers it must call. */
  connect(handlers: ConnectionHandlers): WorkerConnection;
  log: WorkerLog;
  observer?: SessionObserver;
}

/**
 * The worker side of the protocol, whatever the environment: registers (naming the attempts
 * it still holds), heartbeats, runs assignments in a pool, and delivers each result until the
 * coordinator acknowledges it, across reconnects.
 */
export class WorkerSession {
  readonly registered: Promise<void>;
  private markRegistered!: () => void;
  private failRegistration!: (err: Error) => void;
  /** Registered on the current socket; results and progress wait for this. */
  private registeredNow = false;
  private maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private flush: ReturnType<typeof setTimeout> | undefined;
  private readonly outbox = new Outbox();
  private readonly pool: TaskPool;
  private readonly connection: WorkerConnection;

  constructor(private readonly options: WorkerSessionOptions) {
    this.registered = new Promise((resolve, reject) => {
      this.markRegistered = resolve;
      this.failRegistration = reject;
    });
    this.registered.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
    this.pool = new TaskPool(options.slots, options.runAssignment, {
      started: (assignment) => this.reportStarted(assignment),
      finished: (report) => this.resultReady(report),
    });
    this.connection = options.connect({
      opened: () => this.register(),
      message: (raw) => this.receive(raw),
      closed: () => {
        this.registeredNow = false;
        options.observer?.disconnected?.();
      },
    });
  }

  start(): void {
    this.connection.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.flush);
    // No effect once registered: a settled promise stays settled.
    this.failRegistration(new Error('worker stopped before registering'));
    await this.pool.abortAll('worker stopping');
    await this.connection.stop();
  }

  private register(): void {
    const { workerId, name, capabilities, labels, slots } = this.options;
    this.connection.send({
      v: PROTOCOL_VERSION,
      type: 'register',
      workerId,
      name,
      capabilities,
      labels,
      slots,
      inFlight: [...this.pool.leaseRefs(), ...this.outbox.leaseRefs()],
    });
  }

  private receive(raw: string): void {
    const decoded = decodeMessage(raw, ToWorkerMessage);
    if (!decoded.ok) {
      this.options.log.warn({ error: decoded.error }, 'ignoring invalid message from coordinator');
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
        this.options.log.error(
          { code: message.code, id: message.id },
          `coordinator error: ${message.message}`,
        );
        return;
    }
  }

  private onRegistered(message: RegisteredMessage): void {
    if (message.workerId !== this.options.workerId) {
      this.options.log.warn(
        { assignedId: message.workerId },
        'coordinator registered a different worker id',
      );
    }
    this.registeredNow = true;
    this.maxMessageBytes = message.maxMessageBytes;
    this.connection.resetBackoff();
    this.connection.startHeartbeat(message.heartbeatIntervalMs);
    this.options.log.info({ pendingResults: this.outbox.size }, 'registered with coordinator');
    this.markRegistered();
    this.options.observer?.registered?.();
    this.sendResults(this.outbox.takeAll());
  }

  private onAssign(message: AssignMessage): void {
    for (const task of message.tasks) {
      if (this.pool.has(task.taskId, task.attempt) || this.outbox.has(task.taskId, task.attempt)) {
        this.options.log.debug(
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
      if (!recorded) {
        this.options.log.info({ taskId, attempt, reason }, 'coordinator did not record result');
      }
    }
  }

  private onAbort({ taskId, attempt, reason }: AbortMessage): void {
    const held = this.pool.abort(taskId, attempt, reason) || this.outbox.remove(taskId, attempt);
    this.options.log.info({ taskId, attempt, reason, held }, 'attempt aborted by coordinator');
  }

  private reportStarted(assignment: Assignment): void {
    this.options.observer?.taskStarted?.(assignment);
    if (!this.registeredNow) return; // progress is advisory; the result is what counts
    const { taskId, attempt, leaseToken } = assignment;
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
    this.options.observer?.taskFinished?.(report);
    this.outbox.add(report);
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      if (this.registeredNow) this.sendResults(this.outbox.takeUnsent());
    }, 0);
  }

  private sendResults(reports: ResultReport[]): void {
    for (const results of batchResults(reports, this.maxMessageBytes)) {
      this.connection.send({ v: PROTOCOL_VERSION, type: 'result', results });
    }
  }
}
