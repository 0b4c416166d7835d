import type { TaskEvent, TaskView } from '../../protocol/index.js';
import type { TaskRecord } from './types.js';

/** The task as the API shows it at `now`. */
export function taskView(task: TaskRecord, now: number, unschedulable?: string): TaskView {
  const view: TaskView = {
    id: task.id,
    seq: task.seq,
    kind: task.spec.kind,
    priority: task.spec.priority,
    state: task.state,
    attempt: task.attempt,
    leaseToken: task.leaseToken,
    failures: task.failures,
    submittedAt: task.submittedAt,
    history: task.history,
    spec: task.spec,
  };
  if (task.spec.name !== undefined) view.name = task.spec.name;
  if (task.spec.group !== undefined) view.group = task.spec.group;
  if (task.workerId !== undefined) view.workerId = task.workerId;
  if (task.assignedAt !== undefined) view.assignedAt = task.assignedAt;
  if (task.startedAt !== undefined) view.startedAt = task.startedAt;
  if (task.finishedAt !== undefined) view.finishedAt = task.finishedAt;
  if (task.result !== undefined) view.result = task.result;
  if (unschedulable !== undefined) view.unschedulable = unschedulable;
  if (task.notBefore !== undefined) view.notBefore = task.notBefore;
  if (task.state === 'queued' && task.waitingOn > 0) view.waitingOn = task.waitingOn;
  const { deadline } = task.spec;
  if (deadline !== undefined && (task.finishedAt ?? now) > deadline) view.deadlineMissed = true;
  return view;
}

/** The task as it stands, as an event: its latest transition, which happened `at`. */
export function taskEvent(task: TaskRecord, at: number, reason?: string): TaskEvent {
  const event: TaskEvent = { taskId: task.id, state: task.state, attempt: task.attempt, at };
  if (task.spec.group !== undefined) event.group = task.spec.group;
  if (task.workerId !== undefined) event.workerId = task.workerId;
  if (task.result !== undefined) event.result = task.result;
  if (reason !== undefined) event.reason = reason;
  return event;
}

/** When the task entered the state it is in (a subscription's snapshot reports this time). */
export function enteredStateAt(task: TaskRecord): number {
  switch (task.state) {
    case 'queued':
      return task.history.at(-1)?.at ?? task.submittedAt;
    case 'assigned':
      return task.assignedAt ?? task.submittedAt;
    case 'running':
      return task.startedAt ?? task.assignedAt ?? task.submittedAt;
    default:
      return task.finishedAt ?? task.submittedAt;
  }
}
