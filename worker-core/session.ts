import {
  type AbortMessage,
  type AckMessage,
  type AssignMessage,
  type Assignment,
  type Capabilities,
  DEFAULT_MAX_MESSAGE_BYTES,
  type DrainMessage,
  decodeMessage,
  type ErrorMessage,
  type Labels,
  type LeaseRef,
  PROTOCOL_VERSION,
  type RegisteredMessage,
  type ReleasedMessage,
  type ResultReport,
  ToWorkerMessage,
} from '../protocol/index.js';
import type { ConnectionHandlers, WorkerConnection } from './connection.js';
import type { WorkerLog } from './log.js';
import { Outbox } from './outbox.js';
import { PendingReleases } from './releases.js';
import { batchResults } from './result-batches.js';
import { leaseOf, type RunAssignment, TaskPool } from './task-pool.js';
import { newWorkerId } from './worker-id.js';

/** How long running attempts may take once a drain starts, unless told otherwise. */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;
/** How long a drain waits for the coordinator to acknowledge results and releases. */
export const DEFAULT_DRAIN_ACK_TIMEOUT_MS = 10_000;

/** The request id every `register` carries, so that a refusal of it can be told apart. */
const REGISTER_REQUEST_ID = 'register';
/** New worker ids refused in a row before the session gives up. */
const MAX_REFUSED_IDS = 3;

/** Who this worker is to the coordinator. */
export interface WorkerIdentity {
  workerId: string;
  /** Issued by the coordinator at the id's first registration; undefined before. */
  secret: string | undefined;
}

/** What a session tells its host (a status display, say) as things happen. */
export interface SessionObserver {
  registered?(identity: WorkerIdentity): void;
  disconnected?(): void;
  /** The coordinator refused this worker's credentials for good; the session has stopped. */
  refused?(reason: string): void;
  taskStarted?(assignment: Assignment): void;
  taskFinished?(report: ResultReport): void;
}

export interface WorkerSessionOptions {
  /**
   * Chosen once per process (or page), so a reconnect resumes the same worker. Replaced by a
   * new one only if the coordinator refuses this one (it holds a secret this worker lacks).
   */
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
  /** Grace period of a drain the coordinator asks for without one (default 30 s). */
  drainGraceMs?: number;
  /** How long a drain waits for acknowledgements at the end (default 10 s). */
  drainAckTimeoutMs?: number;
  /**
   * The coordinator asked this worker to drain (`dtf drain`). Without this the session drains
   * itself and stays connected, taking no tasks; a process passes its own drain-and-exit.
   */
  onDrainRequested?(graceMs: number): void;
}

/**
 * The worker side of the protocol, whatever the environment: registers (naming the attempts
 * it still holds, and presenting the secret the coordinator issued to its id), heartbeats,
 * runs assignments in a pool, and delivers each result until the coordinator acknowledges it,
 * across reconnects.
 */
export class WorkerSession {
  /** Resolves at the first registration; rejects if stopped or refused before it. */
  readonly registered: Promise<void>;
  /**
   * Rejects when the coordinator refuses this worker's credentials for good (a wrong worker
   * token): the session has stopped. It never resolves.
   */
  readonly refused: Promise<never>;
  private markRegistered!: () => void;
  private failRegistration!: (err: Error) => void;
  private markRefused!: (err: Error) => void;
  private identity: WorkerIdentity;
  /** New ids the coordinator refused since the last registration. */
  private refusedIds = 0;
  /** Registered on the current socket; results and progress wait for this. */
  private registeredNow = false;
  private maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private flush: ReturnType<typeof setTimeout> | undefined;
  private readonly outbox = new Outbox();
  private readonly releases = new PendingReleases();
  private readonly pool: TaskPool;
  private readonly connection: WorkerConnection;
  /** Set once a drain starts: the drain in progress (or done). */
  private draining: Promise<void> | undefined;
  /** Called when the outbox or the pending releases may have emptied. */
  private readonly settledWaiters = new Set<() => void>();
  private stopping = false;

  constructor(private readonly options: WorkerSessionOptions) {
    this.registered = new Promise((resolve, reject) => {
      this.markRegistered = resolve;
      this.failRegistration = reject;
    });
    this.refused = new Promise<never>((_resolve, reject) => {
      this.markRefused = reject;
    });
    // A caller that never awaits these must not see an unhandled rejection.
    this.registered.catch(() => {});
    this.refused.catch(() => {});
    this.identity = { workerId: options.workerId, secret: undefined };
    this.pool = new TaskPool(options.slots, options.runAssignment, {
      started: (assignment) => this.reportStarted(assignment),
      finished: (report) => this.resultReady(report),
      beforeStart: () => this.flushResults(),
    });
    this.connection = options.connect({
      opened: () => this.register(),
      message: (raw) => this.receive(raw),
      closed: () => {
        this.registeredNow = false;
        options.observer?.disconnected?.();
      },
      refused: (reason) => this.refuse(reason),
    });
  }

  /** The id this worker registers under now. */
  get workerId(): string {
    return this.identity.workerId;
  }

  /** Who this worker is to the coordinator now: its id, and the secret issued to it if any. */
  get currentIdentity(): WorkerIdentity {
    return { ...this.identity };
  }

  start(): void {
    this.connection.start();
  }

  /** Whether it runs anything now, or holds an attempt waiting for a slot. */
  get isBusy(): boolean {
    return this.pool.holdsAny;
  }

  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /**
   * Drains: tells the coordinator this worker takes no new tasks, hands back attempts waiting
   * for a slot, lets the running ones finish for up to `graceMs`, then aborts and hands back
   * the rest, and waits (bounded) until the coordinator has acknowledged every result and
   * release. The connection stays open; call `stop` after. A second call joins the first.
   */
  drain(graceMs: number = this.options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS): Promise<void> {
    this.draining ??= this.runDrain(graceMs);
    return this.draining;
  }

  /**
   * Stops at once (a second signal during a drain): aborts whatever runs, hands it back if the
   * connection is up, and stops without waiting for acknowledgements.
   */
  async stopNow(reason = 'the worker was stopped'): Promise<void> {
    const leases = [...this.pool.takeWaiting(), ...(await this.pool.abortRunning(reason))];
    this.release(leases, reason);
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.flush);
    // No effect once registered: a settled promise stays settled.
    this.failRegistration(new Error('worker stopped before registering'));
    await this.pool.abortAll('worker stopping');
    await this.connection.stop();
  }

  private register(): void {
    const { name, capabilities, labels, slots } = this.options;
    const { workerId, secret } = this.identity;
    this.connection.send({
      v: PROTOCOL_VERSION,
      type: 'register',
      id: REGISTER_REQUEST_ID,
      workerId,
      ...(secret === undefined ? {} : { secret }),
      name,
      capabilities,
      labels,
      slots,
      inFlight: [
        ...this.pool.leaseRefs(),
        ...this.outbox.leaseRefs(),
        ...this.releases.leaseRefs(),
      ],
      ...(this.draining === undefined ? {} : { draining: true }),
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
      case 'drain':
        this.onDrain(message);
        return;
      case 'released':
        this.onReleased(message);
        return;
      case 'error':
        this.onError(message);
        return;
    }
  }

  private onError(message: ErrorMessage): void {
    // A refused token never gets this far: the coordinator refuses it at the handshake.
    if (message.code === 'forbidden' && message.id === REGISTER_REQUEST_ID) {
      this.takeNewId(message.message);
    } else {
      this.options.log.error(
        { code: message.code, id: message.id },
        `coordinator error: ${message.message}`,
      );
    }
  }

  /**
   * The coordinator holds a secret for this id that this worker does not have (the reply that
   * carried it was lost, or someone else took the id): register as a new worker. Attempts held
   * under the old id are listed in the new registration, and the coordinator revokes them.
   */
  private takeNewId(problem: string): void {
    this.refusedIds++;
    if (this.refusedIds > MAX_REFUSED_IDS) {
      this.refuse(`the coordinator refused ${MAX_REFUSED_IDS} new worker ids in a row: ${problem}`);
      return;
    }
    const previous = this.identity.workerId;
    this.identity = { workerId: newWorkerId(), secret: undefined };
    this.options.log.warn(
      { previous, workerId: this.identity.workerId },
      `the coordinator refused worker id ${previous} (${problem}); registering as a new worker`,
    );
    this.register();
  }

  /** Final: the coordinator will not take this worker's credentials. Stops the session. */
  private refuse(reason: string): void {
    if (this.stopping) return;
    const error = new Error(reason);
    this.options.log.error({}, reason);
    this.failRegistration(error);
    this.markRefused(error);
    this.options.observer?.refused?.(reason);
    void this.stop();
  }

  private onRegistered(message: RegisteredMessage): void {
    if (message.workerId !== this.identity.workerId) {
      this.options.log.warn(
        { assignedId: message.workerId },
        'coordinator registered a different worker id',
      );
    }
    if (message.secret !== undefined) this.identity.secret = message.secret;
    this.refusedIds = 0;
    this.registeredNow = true;
    this.maxMessageBytes = message.maxMessageBytes;
    this.connection.resetBackoff();
    this.connection.startHeartbeat(message.heartbeatIntervalMs);
    this.options.log.info({ pendingResults: this.outbox.size }, 'registered with coordinator');
    this.markRegistered();
    this.options.observer?.registered?.({ ...this.identity });
    this.sendResults(this.outbox.takeAll());
    this.sendReleases(this.releases.byReason());
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
      if (this.draining !== undefined) {
        this.release([leaseOf(task)], 'the worker is draining');
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
    this.checkSettled();
  }

  private onAbort({ taskId, attempt, reason }: AbortMessage): void {
    const held =
      this.pool.abort(taskId, attempt, reason) ||
      this.outbox.remove(taskId, attempt) ||
      this.releases.remove(taskId, attempt);
    this.options.log.info({ taskId, attempt, reason, held }, 'attempt aborted by coordinator');
    this.checkSettled();
  }

  private onDrain(message: DrainMessage): void {
    const graceMs = message.graceMs ?? this.options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
    this.options.log.info({ graceMs }, 'the coordinator asked this worker to drain');
    if (this.options.onDrainRequested !== undefined) this.options.onDrainRequested(graceMs);
    else void this.drain(graceMs);
  }

  private onReleased(message: ReleasedMessage): void {
    for (const { taskId, attempt } of message.acks) this.releases.remove(taskId, attempt);
    const returned = message.acks.filter((ack) => ack.returned).length;
    this.options.log.info(
      { returned, stale: message.acks.length - returned },
      'coordinator took back handed-back attempts',
    );
    this.checkSettled();
  }

  private async runDrain(graceMs: number): Promise<void> {
    const { log } = this.options;
    if (this.registeredNow) {
      this.connection.send({ v: PROTOCOL_VERSION, type: 'draining', graceMs });
    }
    const notStarted = this.pool.takeWaiting();
    this.release(notStarted, 'the worker is draining; the attempt had not started');
    const running = this.pool.runningCount;
    log.info(
      { running, handedBack: notStarted.length, graceMs },
      `draining: ${running} running, grace ${formatSeconds(graceMs)}`,
    );
    const idle = await this.pool.idle(graceMs);
    if (this.stopping) return; // stopped at once meanwhile (`stopNow`)
    if (idle) {
      if (running > 0) log.info({ running }, `draining: all ${running} running task(s) finished`);
    } else {
      const unfinished = await this.pool.abortRunning('drain grace period ran out');
      log.info(
        { finished: running - unfinished.length, handedBack: unfinished.length },
        `draining: grace period over; ${running - unfinished.length} finished, handing back ${unfinished.length}`,
      );
      this.release(unfinished, `not finished within the drain grace period (${graceMs} ms)`);
    }
    const ackTimeoutMs = this.options.drainAckTimeoutMs ?? DEFAULT_DRAIN_ACK_TIMEOUT_MS;
    if (await this.settled(ackTimeoutMs)) {
      log.info({}, 'drained: the coordinator acknowledged every result and release');
    } else {
      log.warn(
        { pendingResults: this.outbox.size, pendingReleases: this.releases.size, ackTimeoutMs },
        'drained without every acknowledgement: the coordinator will reassign what is left',
      );
    }
  }

  /** Hands attempts back to the coordinator (now, or after the next registration). */
  private release(leases: readonly LeaseRef[], reason: string): void {
    const added = this.releases.add(leases, reason);
    if (added.length > 0 && this.registeredNow) this.sendReleases(new Map([[reason, added]]));
  }

  private sendReleases(groups: Map<string, LeaseRef[]>): void {
    for (const [reason, leases] of groups) {
      this.connection.send({
        v: PROTOCOL_VERSION,
        type: 'release',
        id: this.releases.requestId(),
        leases,
        reason,
      });
    }
  }

  /** Resolves true once no result and no release waits for an acknowledgement, false on timeout. */
  private settled(timeoutMs: number): Promise<boolean> {
    if (this.outbox.size === 0 && this.releases.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.settledWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.settledWaiters.add(done);
    });
  }

  private checkSettled(): void {
    if (this.outbox.size > 0 || this.releases.size > 0) return;
    const waiters = [...this.settledWaiters];
    this.settledWaiters.clear();
    for (const waiter of waiters) waiter();
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
    this.flush ??= setTimeout(() => this.flushResults(), 0);
  }

  /** Sends the results queued for the next flush now. */
  private flushResults(): void {
    if (this.flush === undefined) return;
    clearTimeout(this.flush);
    this.flush = undefined;
    if (this.registeredNow) this.sendResults(this.outbox.takeUnsent());
  }

  private sendResults(reports: ResultReport[]): void {
    for (const results of batchResults(reports, this.maxMessageBytes)) {
      this.connection.send({ v: PROTOCOL_VERSION, type: 'result', results });
    }
  }
}

function formatSeconds(ms: number): string {
  return `${ms / 1000} s`;
}
