import { type LeaseRef, type ResultReport, TERMINAL_STATES } from '../../protocol/index.js';
import {
  endTask,
  failAttempt,
  holdsLease,
  isRetriedFailure,
  leaseRevoked,
  liveAttempt,
  returnAttempt,
} from './attempts.js';
import { appendAudit } from './audit.js';
import type { Command, Placement } from './commands.js';
import { countRunning, indexTask, selectedTasks, setTaskState } from './create.js';
import { queueWithParents } from './dependencies.js';
import { drainWorker, releaseTasks } from './drain.js';
import { appendEvents, type StateEvent } from './events.js';
import { chargeGroup, shareGroup } from './fair-share.js';
import { recordOutcome, recordResultHealth } from './health.js';
import { sortByIdempotencyKey } from './idempotency.js';
import { createKey, revokeKey, rotateKey } from './keys.js';
import { leaseCapacity, slotsInUse, slotsOf } from './lease-capacity.js';
import { schedulingPolicy } from './policy.js';
import { quarantineTest, releaseTest } from './quarantine.js';
import { releaseDue } from './queueing.js';
import { retargetTasks } from './retarget.js';
import { withRunEndDeliveries } from './run-notifications.js';
import { openRun, pruneRuns, recordRunResults } from './runs.js';
import type { CoordinatorState, TaskRecord } from './types.js';
import { taskEvent } from './view.js';
import {
  addWebhook,
  queueNotifications,
  recordDeliveryAttempt,
  removeWebhook,
} from './webhooks.js';
import {
  awaitReconnects,
  disconnectWorker,
  expireWorker,
  heartbeat,
  registerWorker,
} from './workers.js';

/**
 * The coordinator's state machine. It changes `state` in place and returns what changed.
 * It does no I/O and reads no clock: the same state and command always give the same
 * result, which is what lets the store replay it and Raft replicate it.
 */
export function apply(state: CoordinatorState, command: Command): StateEvent[] {
  if (command.now > state.clock) state.clock = command.now;
  const events = applyCommand(state, command);
  if (!('audit' in command)) return events;
  const audited = appendAudit(state, command, events);
  if (audited !== undefined) events.push(audited);
  return events;
}

function applyCommand(state: CoordinatorState, command: Command): StateEvent[] {
  switch (command.type) {
    case 'SubmitTasks':
      return submitTasks(state, command.now, command.tasks, command.owner);
    case 'RegisterWorker':
      return registerWorker(state, command);
    case 'Heartbeat':
      return heartbeat(state, command.workerId, command.now);
    case 'WorkerDisconnected':
      return disconnectWorker(state, command.workerId, command.connection);
    case 'LeaderElected':
      return awaitReconnects(state);
    case 'ExpireWorker':
      return expireWorker(state, command.workerId, command.now, command.reason);
    case 'AssignTasks':
      return assignTasks(state, command.now, command.placements);
    case 'StartTask':
      return startTask(state, command.workerId, command.lease, command.now);
    case 'RecordResults':
      return command.reports.flatMap((report) =>
        recordResult(state, command.workerId, report, command.now),
      );
    case 'CancelTasks':
      return cancelTasks(state, command);
    case 'RetargetTasks':
      return retargetTasks(state, command);
    case 'Tick':
      releaseDue(state, command.now);
      return [];
    case 'ExpireLease':
      return expireLease(state, command.lease, command.now, command.reason);
    case 'DrainWorker':
      return drainWorker(state, command.workerId, command.by, command.graceMs);
    case 'ReleaseTasks':
      return releaseTasks(state, command.workerId, command.leases, command.now, command.reason);
    case 'SetCredentials':
      return setCredentials(state, command);
    case 'OpenRun':
      return openRun(state, command.now, command.run);
    case 'RecordRunResults':
      return withRunEndDeliveries(state, command.now, recordRunResults(state, command));
    case 'PruneRuns':
      return pruneRuns(state, command);
    case 'QuarantineTest':
      return quarantineTest(state, command);
    case 'ReleaseTest':
      return releaseTest(state, command);
    case 'CreateKey':
      return createKey(state, command);
    case 'RevokeKey':
      return revokeKey(state, command);
    case 'RotateKey':
      return rotateKey(state, command);
    case 'AddWebhook':
      return addWebhook(state, command);
    case 'RemoveWebhook':
      return removeWebhook(state, command);
    case 'QueueNotifications':
      return queueNotifications(
        state,
        command.now,
        command.key,
        command.notifications,
        command.webhook,
      );
    case 'RecordDeliveryAttempt':
      return recordDeliveryAttempt(state, command);
    case 'RecordAudit':
      return [];
  }
}

/** The first credentials applied stay: a later proposal (another leader's) changes nothing. */
function setCredentials(
  state: CoordinatorState,
  command: Extract<Command, { type: 'SetCredentials' }>,
): StateEvent[] {
  if (state.credentials !== undefined) return [];
  const credentials = {
    adminKeySha256: command.adminKeySha256,
    workerTokenSha256: command.workerTokenSha256,
  };
  state.credentials = credentials;
  return [{ type: 'CredentialsSet', credentials }];
}

function submitTasks(
  state: CoordinatorState,
  now: number,
  tasks: Extract<Command, { type: 'SubmitTasks' }>['tasks'],
  owner: string | undefined,
): StateEvent[] {
  const sorted = sortByIdempotencyKey(state, tasks);
  if ('refused' in sorted) return [sorted.refused];
  const events: StateEvent[] = sorted.repeats.map((repeat) => ({
    type: 'TaskDeduplicated',
    ...repeat,
  }));
  const created: TaskRecord[] = [];
  for (const { id, spec } of sorted.fresh) {
    const task: TaskRecord = {
      id,
      seq: state.nextSeq,
      spec,
      state: 'queued',
      attempt: 0,
      failures: 0,
      waitingOn: 0,
      placeable: false,
      leaseToken: 0,
      submittedAt: now,
      history: [],
      queueEpoch: 1,
    };
    if (owner !== undefined) task.owner = owner;
    indexTask(state, task);
    events.push({ type: 'TaskSubmitted', task, update: taskEvent(task, now) });
    created.push(task);
  }
  // After the whole batch is indexed: a task may depend on one submitted after it.
  for (const task of created) appendEvents(events, queueWithParents(state, task, now));
  return events;
}

function assignTasks(state: CoordinatorState, now: number, placements: Placement[]): StateEvent[] {
  const policy = schedulingPolicy(state.config);
  const events: StateEvent[] = [];
  for (const { taskId, workerId, preempts } of placements) {
    const task = state.tasks.get(taskId);
    const worker = state.workers.get(workerId);
    if (task === undefined || !task.placeable) continue;
    if (worker === undefined || worker.status !== 'connected') continue;
    if (preempts !== undefined) appendEvents(events, preempt(state, preempts, task, now));
    const capacity = leaseCapacity(state, worker, task.spec.requirements);
    if (slotsInUse(state, worker) + slotsOf(task) > capacity) continue;
    state.ready.remove(task);
    setTaskState(state, task, 'assigned');
    task.attempt++;
    task.leaseToken = ++state.lastLeaseToken;
    task.workerId = workerId;
    task.assignedAt = now;
    worker.running.add(taskId);
    countRunning(state, task, 1);
    chargeGroup(state, shareGroup(task.spec.group), policy);
    events.push({ type: 'TaskAssigned', task, update: taskEvent(task, now) });
  }
  return events;
}

/** Stops a lower-priority attempt for `by`; it is queued again, not charged a retry. */
function preempt(
  state: CoordinatorState,
  lease: LeaseRef,
  by: TaskRecord,
  now: number,
): StateEvent[] {
  const task = liveAttempt(state, lease);
  if (task === undefined) return [];
  const reason = `preempted by task ${by.id} of priority ${by.spec.priority}`;
  return [leaseRevoked(task, reason), ...returnAttempt(state, task, now, reason)];
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
  setTaskState(state, task, 'running');
  task.startedAt = now;
  return [{ type: 'TaskStarted', task, update: taskEvent(task, now) }];
}

function recordResult(
  state: CoordinatorState,
  workerId: string,
  report: ResultReport,
  now: number,
): StateEvent[] {
  const ack = { taskId: report.taskId, attempt: report.attempt };
  const task = state.tasks.get(report.taskId);
  if (task === undefined) {
    return [
      { type: 'ResultAcked', workerId, ack: { ...ack, recorded: false, reason: 'unknown task' } },
    ];
  }
  if (!holdsLease(task, workerId, report)) {
    const reason = TERMINAL_STATES.has(task.state)
      ? `task already ${task.state}`
      : `stale lease: the live attempt is ${task.attempt}`;
    return [{ type: 'ResultAcked', workerId, ack: { ...ack, recorded: false, reason } }];
  }
  const { result } = report;
  recordResultHealth(state, task, workerId, result, now);
  const recorded: StateEvent = { type: 'ResultAcked', workerId, ack: { ...ack, recorded: true } };
  if (isRetriedFailure(task, result)) {
    const reason = result.error ?? result.status;
    return [...failAttempt(state, task, now, reason, result), recorded];
  }
  return [...endTask(state, task, now, result.status, { result }), recorded];
}

function expireLease(
  state: CoordinatorState,
  lease: LeaseRef,
  now: number,
  reason: string,
): StateEvent[] {
  const task = liveAttempt(state, lease);
  if (task === undefined) return [];
  const revoked = leaseRevoked(task, reason);
  recordOutcome(state, task, revoked.workerId, 'timeout', now);
  return [revoked, ...failAttempt(state, task, now, reason)];
}

function cancelTasks(
  state: CoordinatorState,
  command: Extract<Command, { type: 'CancelTasks' }>,
): StateEvent[] {
  const events: StateEvent[] = [];
  for (const task of selectedTasks(state, command)) {
    if (command.owner !== undefined && task.owner !== command.owner) continue;
    const runningOn =
      task.state === 'assigned' || task.state === 'running' ? task.workerId : undefined;
    appendEvents(
      events,
      endTask(state, task, command.now, 'cancelled', {
        reason: command.reason,
        ...(runningOn === undefined ? {} : { abortOnWorker: runningOn }),
      }),
    );
  }
  return events;
}
