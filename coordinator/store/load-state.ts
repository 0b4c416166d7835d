import type Database from 'better-sqlite3';
import type { TaskResult, TaskSpec, TaskState } from '../../protocol/index.js';
import {
  type CoordinatorState,
  createState,
  indexTask,
  type StateConfig,
  type TaskRecord,
} from '../state/index.js';

interface TaskRow {
  seq: number;
  id: string;
  spec: string;
  state: TaskState;
  attempt: number;
  lease_token: number;
  worker_id: string | null;
  submitted_at: number;
  assigned_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  result: string | null;
  history: string;
}

interface WorkerRow {
  id: string;
  name: string;
  capabilities: string;
  labels: string;
  slots: number;
  status: string;
  registered_at: number;
}

function taskFromRow(row: TaskRow): TaskRecord {
  const task: TaskRecord = {
    id: row.id,
    seq: row.seq,
    spec: JSON.parse(row.spec) as TaskSpec,
    state: row.state,
    attempt: row.attempt,
    leaseToken: row.lease_token,
    submittedAt: row.submitted_at,
    history: JSON.parse(row.history),
    queueEpoch: 1,
  };
  if (row.worker_id !== null) task.workerId = row.worker_id;
  if (row.assigned_at !== null) task.assignedAt = row.assigned_at;
  if (row.started_at !== null) task.startedAt = row.started_at;
  if (row.finished_at !== null) task.finishedAt = row.finished_at;
  if (row.result !== null) task.result = JSON.parse(row.result) as TaskResult;
  return task;
}

/**
 * Rebuilds the state from the database. Every known worker comes back disconnected with
 * `lastSeen = now`: it has the usual heartbeat allowance to reconnect and claim its leases
 * before they expire.
 */
export function loadState(
  db: Database.Database,
  config: StateConfig,
  now: number,
): CoordinatorState {
  const state = createState(config);
  for (const row of db.prepare('SELECT * FROM workers').iterate() as Iterable<WorkerRow>) {
    state.workers.set(row.id, {
      id: row.id,
      name: row.name,
      capabilities: JSON.parse(row.capabilities),
      labels: JSON.parse(row.labels),
      slots: row.slots,
      status: row.status === 'dead' ? 'dead' : 'disconnected',
      registeredAt: row.registered_at,
      lastSeen: now,
      running: new Set(),
    });
  }
  for (const row of db.prepare('SELECT * FROM tasks ORDER BY seq').iterate() as Iterable<TaskRow>) {
    const task = taskFromRow(row);
    indexTask(state, task);
    if ((task.state === 'assigned' || task.state === 'running') && task.workerId !== undefined) {
      state.workers.get(task.workerId)?.running.add(task.id);
    }
  }
  return state;
}
