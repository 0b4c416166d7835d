import type Database from 'better-sqlite3';
import {
  MAX_RECONNECT_DELAY_MS,
  type Requirements,
  type TaskResult,
  type TaskSpec,
  type TaskState,
  type WorkerStatus,
} from '../../protocol/index.js';
import {
  type CoordinatorState,
  countRunning,
  createState,
  indexTask,
  isGone,
  newWorkerHealth,
  noteDuration,
  noteStageSpeed,
  queueLoadedTask,
  type StateConfig,
  type TaskRecord,
  type WorkerRecord,
} from '../state/index.js';
import { loadAuditHead } from './audit-rows.js';
import { loadKeys } from './key-rows.js';
import { loadRuns } from './run-rows.js';
import { loadWebhooks } from './webhook-rows.js';

const LOAD_PAGE_ROWS = 20_000;

/** The task columns in the order the load reads them (rows come back as arrays: far cheaper). */
const TASK_COLUMNS =
  'seq, id, spec, state, attempt, lease_token, worker_id, submitted_at, assigned_at, started_at, finished_at, result, history, failures, not_before, submitted_requirements, owner';
type TaskRow = [
  seq: number,
  id: string,
  spec: string,
  state: TaskState,
  attempt: number,
  leaseToken: number,
  workerId: string | null,
  submittedAt: number,
  assignedAt: number | null,
  startedAt: number | null,
  finishedAt: number | null,
  result: string | null,
  history: string,
  failures: number,
  notBefore: number | null,
  submittedRequirements: string | null,
  owner: string | null,
];

interface WorkerRow {
  id: string;
  name: string;
  capabilities: string;
  labels: string;
  slots: number;
  /** Written from `WorkerRecord.status`. */
  status: WorkerStatus;
  registered_at: number;
  secret_sha256: string | null;
}

/**
 * Parsed specs by their JSON text. A spec object is never changed (a retarget gives its task a
 * new one), so tasks with the same text share one object: big queues are mostly a few specs
 * repeated, and sharing saves both the parsing and the memory. Bounded, so a queue of
 * all-different specs costs nothing extra.
 */
class SpecInterner {
  private readonly specs = new Map<string, TaskSpec>();

  get(text: string): TaskSpec {
    let spec = this.specs.get(text);
    if (spec === undefined) {
      spec = JSON.parse(text) as TaskSpec;
      if (this.specs.size >= 10_000) this.specs.clear();
      this.specs.set(text, spec);
    }
    return spec;
  }
}

function taskFromRow(row: TaskRow, specs: SpecInterner): TaskRecord {
  const [
    seq,
    id,
    spec,
    state,
    attempt,
    leaseToken,
    workerId,
    submittedAt,
    assignedAt,
    startedAt,
    finishedAt,
    result,
    history,
    failures,
    notBefore,
    submittedRequirements,
    owner,
  ] = row;
  const task: TaskRecord = {
    id,
    seq,
    spec: specs.get(spec),
    state,
    attempt,
    failures,
    waitingOn: 0,
    placeable: false,
    leaseToken,
    submittedAt,
    history: history === '[]' ? [] : JSON.parse(history),
    queueEpoch: 1,
  };
  if (notBefore !== null && state === 'queued') task.notBefore = notBefore;
  if (workerId !== null) task.workerId = workerId;
  if (assignedAt !== null) task.assignedAt = assignedAt;
  if (startedAt !== null) task.startedAt = startedAt;
  if (finishedAt !== null) task.finishedAt = finishedAt;
  if (owner !== null) task.owner = owner;
  if (result !== null) task.result = JSON.parse(result) as TaskResult;
  if (submittedRequirements !== null) {
    task.submittedRequirements = JSON.parse(submittedRequirements) as Requirements;
  }
  return task;
}

/**
 * Rebuilds the state from the database. Every known worker comes back disconnected and awaiting
 * its reconnection (see `WorkerRecord.awaitingReconnect`), seen last `MAX_RECONNECT_DELAY_MS`
 * from now: a live worker may be waiting out its longest reconnect
 * delay, and gets that plus the usual heartbeat allowance to claim its leases before they
 * expire; declared dead sooner, its finished results would be thrown away and its tasks rerun.
 */
export function loadState(
  db: Database.Database,
  config: StateConfig,
  now: number,
): CoordinatorState {
  const state = createState(config);
  for (const row of db.prepare('SELECT * FROM workers').iterate() as Iterable<WorkerRow>) {
    // A dead or drained worker stays so; any other may come back.
    const status = isGone(row) ? row.status : 'disconnected';
    const worker: WorkerRecord = {
      id: row.id,
      name: row.name,
      capabilities: JSON.parse(row.capabilities),
      labels: JSON.parse(row.labels),
      slots: row.slots,
      status,
      registeredAt: row.registered_at,
      lastSeen: now + MAX_RECONNECT_DELAY_MS,
      running: new Set(),
      // Not persisted: a restarted coordinator starts every worker at full health.
      health: newWorkerHealth(),
      // Not persisted: a draining worker says so again when it registers (`draining: true`).
      draining: false,
      awaitingReconnect: status === 'disconnected',
    };
    if (row.secret_sha256 !== null) worker.secretSha256 = row.secret_sha256;
    state.workers.set(row.id, worker);
  }
  const specs = new SpecInterner();
  // Pages of rows by primary key: much cheaper per row than one long iterate().
  const page = db
    .prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE seq > ? ORDER BY seq LIMIT ?`)
    .raw(true);
  for (let after = 0; ; ) {
    const rows = page.all(after, LOAD_PAGE_ROWS) as TaskRow[];
    for (const row of rows) {
      const task = taskFromRow(row, specs);
      indexTask(state, task);
      if ((task.state === 'assigned' || task.state === 'running') && task.workerId !== undefined) {
        const worker = state.workers.get(task.workerId);
        if (worker !== undefined) {
          worker.running.add(task.id);
          countRunning(state, task, 1);
        }
      }
    }
    if (rows.length < LOAD_PAGE_ROWS) break;
    after = rows[rows.length - 1]![0];
  }
  // Once every task is known: a queued task may depend on one stored after it.
  for (const task of state.tasks.values()) {
    if (task.state === 'queued') queueLoadedTask(state, task, now);
    else if (task.state === 'succeeded') {
      noteDuration(state, task);
      noteStageSpeed(state, task);
    }
  }
  loadRuns(db, state);
  loadWebhooks(db, state);
  loadKeys(db, state);
  loadAuditHead(db, state);
  return state;
}
