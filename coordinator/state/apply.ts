import { type LeaseRef, type TaskResult, TERMINAL_STATES } from '../../protocol/index.js';
import type { Command, Placement } from './commands.js';
import { indexTask } from './create.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState, TaskRecord, WorkerRecord } from './types.js';

/**
 * The coordinator's state machine. It changes `state` in place and returns what changed.
 * It does no I/O and reads no clock: the same state and command always give the same
 * result, which is what lets the store replay it and Raft replicate it.
 */
export function apply(state: CoordinatorState, command: Command): StateEvent[] {
  switch (command.type) {
    case 'SubmitTasks':
      return submitTasks(state, command.now, command.tasks);
    case 'RegisterWorker':
      return registerWorker(state, command);
    case 'Heartbeat': {
      const worker = state.workers.get(command.workerId);
      if (worker !== undefined && worker.status !== 'dead') worker.lastSeen = command.now;
      return [];
    }
    case 'WorkerDisconnected': {
      const worker = state.workers.get(command.workerId);
      if (worker === undefined || worker.status !== 'connected') return [];
      worker.status = 'disconnected';
      state.workersVersion++;
      return [];
    }
    case 'ExpireWorker':
      return expireWorker(state, command.workerId, command.now, command.reason);
    case 'AssignTasks':
      return assignTasks(state, command.now, command.placements);
    case 'StartTask':
      return startTask(state, command.workerId, command.lease, command.now);
    case 'RecordResults':
      return command.reports.flatMap((r) =>
        recordResult(state, command.workerId, r, r.result, command.now),
      );
    case 'CancelTasks':
      return cancelTasks(state, command);
  }
}

function submitTasks(
  state: CoordinatorState,
  now: number,
  tasks: Extract<Command, { type: 'SubmitTasks' }>['tasks'],
): StateEvent[] {
  const events: StateEvent[] = [];
  for (const { id, spec } of tasks) {
    const existing =
      spec.idempotencyKey === undefined
        ? undefined
        : state.byIdempotencyKey.get(spec.idempotencyKey);
    if (existing !== undefined) {
      events.push({ type: 'TaskDeduplicated', requestedId: id, existingId: existing });
      continue;
    }
    const task: TaskRecord = {
      id,
      seq: state.nextSeq,
      spec,
      state: 'queued',
      attempt: 0,
      leaseToken: 0,
      submittedAt: now,
      history: [],
      queueEpoch: 1,
    };
    indexTask(state, task);
    events.push({ type: 'TaskSubmitted', task });
  }
  return events;
}

function registerWorker(
  state: CoordinatorState,
  command: Extract<Command, { type: 'RegisterWorker' }>,
): StateEvent[] {
  const events: StateEvent[] = [];
  let worker = state.workers.get(command.workerId);
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
    };
    state.workers.set(worker.id, worker);
  } else {
    worker.name = command.name;
    worker.capabilities = command.capabilities;
    worker.labels = command.labels;
    worker.slots = command.slots;
    worker.lastSeen = command.now;
  }
  if (command.inFlight !== null) {
    worker.status = 'connected';
    events.push(...reconcileInFlight(state, worker, command.inFlight, command.now));
  }
  state.workersVersion++;
  events.unshift({ type: 'WorkerRegistered', worker });
  return events;
}

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
    events.push(...requeue(state, task, now, 'the worker reconnected without this attempt'));
  }
  return events;
}

function revokeReason(task: TaskRecord | undefined): string {
  if (task === undefined) return 'unknown task';
  if (TERMINAL_STATES.has(task.state)) return `task already ${task.state}`;
  return 'the lease moved to another attempt';
}

function holdsLease(task: TaskRecord, workerId: string, lease: LeaseRef): boolean {
  return (
    (task.state === 'assigned' || task.state === 'running') &&
    task.workerId === workerId &&
    task.attempt === lease.attempt &&
    task.leaseToken === lease.leaseToken
  );
}

function expireWorker(
  state: CoordinatorState,
  workerId: string,
  now: number,
  reason: string,
): StateEvent[] {
  const worker = state.workers.get(workerId);
  if (worker === undefined || worker.status === 'dead') return [];
  worker.status = 'dead';
  state.workersVersion++;
  const events: StateEvent[] = [{ type: 'WorkerLost', worker, reason }];
  for (const taskId of [...worker.running]) {
    events.push(
      ...requeue(state, state.tasks.get(taskId)!, now, `worker ${workerId} lost: ${reason}`),
    );
  }
  return events;
}

/** Ends the current attempt without a result: retried if the policy allows, failed otherwise. */
function requeue(
  state: CoordinatorState,
  task: TaskRecord,
  now: number,
  reason: string,
): StateEvent[] {
  releaseLease(state, task);
  task.history.push({ attempt: task.attempt, workerId: task.workerId ?? null, reason, at: now });
  if (task.attempt > task.spec.retry.maxRetries) {
    task.state = 'failed';
    task.finishedAt = now;
    const error = `gave up after ${task.attempt} attempts; last: ${reason}`;
    task.result = { status: 'failed', durationMs: 0, error };
    return [{ type: 'TaskEnded', task, reason: error }];
  }
  task.state = 'queued';
  task.queueEpoch++;
  delete task.workerId;
  delete task.assignedAt;
  delete task.startedAt;
  state.ready.add(task);
  return [{ type: 'TaskRequeued', task, reason }];
}

function releaseLease(state: CoordinatorState, task: TaskRecord): void {
  if (task.workerId !== undefined) state.workers.get(task.workerId)?.running.delete(task.id);
}

function assignTasks(state: CoordinatorState, now: number, placements: Placement[]): StateEvent[] {
  const events: StateEvent[] = [];
  for (const { taskId, workerId } of placements) {
    const task = state.tasks.get(taskId);
    const worker = state.workers.get(workerId);
    if (task === undefined || task.state !== 'queued') continue;
    if (worker === undefined || worker.status !== 'connected') continue;
    if (worker.running.size >= worker.slots) continue;
    task.state = 'assigned';
    task.attempt++;
    task.leaseToken = ++state.lastLeaseToken;
    task.workerId = workerId;
    task.assignedAt = now;
    worker.running.add(taskId);
    state.ready.remove(task);
    events.push({ type: 'TaskAssigned', task });
  }
  return events;
}

function startTask(
  state: CoordinatorState,
  workerId: string,
  lease: LeaseRef,
  now: number,
): StateEvent[] {
  const task = state.tasks.get(lease.taskId);
  if (task === undefined || task.state !== 'assigned' || !holdsLease(task, workerId, lease))
    return [];
  task.state = 'running';
  task.startedAt = now;
  return [{ type: 'TaskStarted', task }];
}

function recordResult(
  state: CoordinatorState,
  workerId: string,
  lease: LeaseRef,
  result: TaskResult,
  now: number,
): StateEvent[] {
  const ack = { taskId: lease.taskId, attempt: lease.attempt };
  const task = state.tasks.get(lease.taskId);
  if (task === undefined) {
    return [
      { type: 'ResultAcked', workerId, ack: { ...ack, recorded: false, reason: 'unknown task' } },
    ];
  }
  if (!holdsLease(task, workerId, lease)) {
    const reason = TERMINAL_STATES.has(task.state)
      ? `task already ${task.state}`
      : `stale lease: the live attempt is ${task.attempt}`;
    return [{ type: 'ResultAcked', workerId, ack: { ...ack, recorded: false, reason } }];
  }
  releaseLease(state, task);
  task.state = result.status;
  task.result = result;
  task.finishedAt = now;
  return [
    { type: 'TaskEnded', task },
    { type: 'ResultAcked', workerId, ack: { ...ack, recorded: true } },
  ];
}

function cancelTasks(
  state: CoordinatorState,
  command: Extract<Command, { type: 'CancelTasks' }>,
): StateEvent[] {
  const selected =
    command.group !== undefined
      ? (state.byGroup.get(command.group) ?? [])
      : (command.taskIds ?? []).flatMap((id) => state.tasks.get(id) ?? []);
  const events: StateEvent[] = [];
  for (const task of selected) {
    if (TERMINAL_STATES.has(task.state)) continue;
    const wasQueued = task.state === 'queued';
    const runningOn = wasQueued ? undefined : task.workerId;
    releaseLease(state, task);
    task.state = 'cancelled';
    task.finishedAt = command.now;
    if (wasQueued) state.ready.remove(task);
    events.push(
      runningOn === undefined
        ? { type: 'TaskEnded', task, reason: command.reason }
        : { type: 'TaskEnded', task, abortOnWorker: runningOn, reason: command.reason },
    );
  }
  return events;
}
