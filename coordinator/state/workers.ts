import { type LeaseRef, TERMINAL_STATES } from '../../protocol/index.js';
import { failAttempt, holdsLease, returnAttempt } from './attempts.js';
import type { Command, WorkerProof } from './commands.js';
import { appendEvents, type StateEvent } from './events.js';
import { newWorkerHealth, recordHeartbeat } from './health.js';
import type { CoordinatorState, TaskRecord, WorkerRecord } from './types.js';

export function registerWorker(
  state: CoordinatorState,
  command: Extract<Command, { type: 'RegisterWorker' }>,
): StateEvent[] {
  const events: StateEvent[] = [];
  let worker = state.workers.get(command.workerId);
  const admission = admit(worker, command);
  // Refused: nothing changes, so the worker holding the id keeps its connection and attempts.
  if (admission === 'refused') return [];
  if (worker === undefined) {
    worker = {
      id: command.workerId,
      name: command.name,
      capabilities: command.capabilities,
      labels: command.labels,
      slots: command.slots,
      status: 'disconnected',
      registeredAt: command.now,
      lastSeen: command.now,
      running: new Set(),
      health: newWorkerHealth(),
      draining: command.draining === true,
      awaitingReconnect: false,
    };
    state.workers.set(worker.id, worker);
  } else {
    worker.name = command.name;
    worker.capabilities = command.capabilities;
    worker.labels = command.labels;
    worker.slots = command.slots;
    worker.lastSeen = command.now;
    // The same id is the same process: one that was draining still is.
    if (command.draining === true) worker.draining = true;
  }
  if (admission === 'issued') worker.secretSha256 = command.newSecretSha256!;
  if (command.inFlight !== null) {
    worker.status = 'connected';
    if (command.connection === undefined) delete worker.connection;
    else worker.connection = command.connection;
    appendEvents(events, reconcileInFlight(state, worker, command.inFlight, command.now));
    worker.awaitingReconnect = false;
  }
  state.workersVersion++;
  events.unshift({ type: 'WorkerRegistered', worker, secretIssued: admission === 'issued' });
  return events;
}

/**
 * Whether a registration may speak for its worker id. An id with a secret is taken only with
 * that secret or by the admin key (its secret stays); an id without one (new, or recorded
 * before secrets existed) takes the fresh secret the edge made, when it made one.
 */
function admit(
  worker: WorkerRecord | undefined,
  proof: WorkerProof,
): 'admitted' | 'issued' | 'refused' {
  const stored = worker?.secretSha256;
  if (stored === undefined) return proof.newSecretSha256 === undefined ? 'admitted' : 'issued';
  if (proof.byAdmin === true) return 'admitted';
  // SHA-256 hashes: how long comparing them takes tells nothing of the secret.
  return proof.secretSha256 === stored ? 'admitted' : 'refused';
}

/** Why an attempt the worker never started is requeued when it reconnects to a new coordinator. */
export const NEVER_DELIVERED =
  'the worker reconnected to a new coordinator without this attempt, never started';

/**
 * After a reconnect, the worker's own list of attempts is the truth about what it still
 * holds: leases it no longer knows of are requeued, attempts it holds that lost their
 * lease meanwhile are revoked.
 */
function reconcileInFlight(
  state: CoordinatorState,
  worker: WorkerRecord,
  inFlight: LeaseRef[],
  now: number,
): StateEvent[] {
  const events: StateEvent[] = [];
  const held = new Set<string>();
  for (const lease of inFlight) {
    const task = state.tasks.get(lease.taskId);
    if (task !== undefined && holdsLease(task, worker.id, lease)) {
      held.add(task.id);
    } else {
      events.push({
        type: 'LeaseRevoked',
        workerId: worker.id,
        taskId: lease.taskId,
        attempt: lease.attempt,
        reason: revokeReason(task),
      });
    }
  }
  for (const taskId of [...worker.running]) {
    if (held.has(taskId)) continue;
    const task = state.tasks.get(taskId)!;
    if (worker.awaitingReconnect && task.state === 'assigned') {
      appendEvents(events, returnAttempt(state, task, now, NEVER_DELIVERED));
    } else {
      appendEvents(
        events,
        failAttempt(state, task, now, 'the worker reconnected without this attempt'),
      );
    }
  }
  return events;
}

function revokeReason(task: TaskRecord | undefined): string {
  if (task === undefined) return 'unknown task';
  if (TERMINAL_STATES.has(task.state)) return `task already ${task.state}`;
  return 'the lease moved to another attempt';
}

/** A worker that is dead or drained is gone: it holds nothing and is not waited for. */
export function isGone(worker: Pick<WorkerRecord, 'status'>): boolean {
  return worker.status === 'dead' || worker.status === 'drained';
}

export function expireWorker(
  state: CoordinatorState,
  workerId: string,
  now: number,
  reason: string,
): StateEvent[] {
  const worker = state.workers.get(workerId);
  if (worker === undefined || isGone(worker)) return [];
  worker.status = 'dead';
  state.workersVersion++;
  const events: StateEvent[] = [{ type: 'WorkerLost', worker, reason }];
  for (const taskId of [...worker.running]) {
    const task = state.tasks.get(taskId)!;
    appendEvents(events, failAttempt(state, task, now, `worker ${workerId} lost: ${reason}`));
  }
  return events;
}

/**
 * The worker's connection closed. A draining worker that holds no lease any more has finished
 * its drain (it closes once its results and releases are acknowledged): it is `drained`, not
 * expired later as lost. Any other waits, disconnected, for its reconnection or its expiry.
 * The close of a connection it no longer uses (it registered again since) changes nothing.
 */
export function disconnectWorker(
  state: CoordinatorState,
  workerId: string,
  connection: string,
): StateEvent[] {
  const worker = state.workers.get(workerId);
  if (worker?.status !== 'connected' || worker.connection !== connection) return [];
  state.workersVersion++;
  if (worker.draining && worker.running.size === 0) {
    worker.status = 'drained';
    return [{ type: 'WorkerDrained', worker }];
  }
  worker.status = 'disconnected';
  return [];
}

/**
 * Every worker not gone awaits its reconnection: disconnected, its leases kept, since its
 * connection was to a member that no longer leads. It claims them, and gets new tasks again,
 * when it registers.
 */
export function awaitReconnects(state: CoordinatorState): StateEvent[] {
  for (const worker of state.workers.values()) {
    if (isGone(worker)) continue;
    if (worker.status === 'connected') {
      worker.status = 'disconnected';
      state.workersVersion++;
    }
    worker.awaitingReconnect = true;
  }
  return [];
}

export function heartbeat(state: CoordinatorState, workerId: string, now: number): StateEvent[] {
  const worker = state.workers.get(workerId);
  if (worker !== undefined && !isGone(worker)) {
    worker.lastSeen = now;
    recordHeartbeat(worker, state.config, now);
  }
  return [];
}
