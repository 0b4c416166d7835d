import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  CoordinatorState,
  CredentialHashes,
  StateEvent,
  TaskRecord,
  WorkerRecord,
} from '../state/index.js';
import { AuditRowWriter } from './audit-rows.js';
import { KeyRowWriter } from './key-rows.js';
import { RunRowWriter } from './run-rows.js';
import { MIGRATIONS } from './schema.js';
import { WebhookRowWriter } from './webhook-rows.js';

export const DB_FILE = 'dtf.sqlite';

/**
 * Opens (creating if needed) the coordinator database under `dataDir`, migrated and in WAL mode;
 * a new one is readable by its owner only (0600, and so are the -wal and -shm files, which
 * SQLite creates with the database's mode).
 */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL survives a crash of the process (kill -9); FULL also survives power loss.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}

function optionalJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The columns that change over a task's life, in the order both statements use. */
function mutableColumns(task: TaskRecord) {
  return [
    task.state,
    task.attempt,
    task.leaseToken,
    task.workerId ?? null,
    task.assignedAt ?? null,
    task.startedAt ?? null,
    task.finishedAt ?? null,
    optionalJson(task.result),
    JSON.stringify(task.history),
    task.failures,
    task.notBefore ?? null,
  ] as const;
}

/** The spec as it is now, and the requirements it was submitted with if a retarget changed them. */
function specColumns(task: TaskRecord) {
  return [JSON.stringify(task.spec), optionalJson(task.submittedRequirements)] as const;
}

/**
 * Collects the rows a batch of state events changed and writes each once: a task submitted,
 * assigned and finished within one batch is a single insert of its final row.
 */
export class EventWriter {
  private readonly insertTask: Database.Statement;
  private readonly updateTask: Database.Statement;
  private readonly updateSpec: Database.Statement;
  private readonly upsertWorker: Database.Statement;
  private readonly newTasks = new Set<TaskRecord>();
  private readonly changedTasks = new Set<TaskRecord>();
  private readonly retargetedTasks = new Set<TaskRecord>();
  private readonly changedWorkers = new Set<WorkerRecord>();
  private readonly upsertCredential: Database.Statement;
  private credentials: CredentialHashes | undefined;
  private readonly runs: RunRowWriter;
  private readonly webhooks: WebhookRowWriter;
  private readonly keys: KeyRowWriter;
  private readonly audit: AuditRowWriter;

  constructor(private readonly db: Database.Database) {
    this.runs = new RunRowWriter(db);
    this.webhooks = new WebhookRowWriter(db);
    this.keys = new KeyRowWriter(db);
    this.audit = new AuditRowWriter(db);
    this.upsertCredential = db.prepare(
      'INSERT OR REPLACE INTO credentials (role, token_sha256, created_at) VALUES (?, ?, ?)',
    );
    this.insertTask = db.prepare(
      `INSERT INTO tasks (seq, id, spec, submitted_requirements, submitted_at, owner, state,
         attempt, lease_token, worker_id, assigned_at, started_at, finished_at, result, history,
         failures, not_before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateTask = db.prepare(
      `UPDATE tasks SET state = ?, attempt = ?, lease_token = ?, worker_id = ?, assigned_at = ?,
         started_at = ?, finished_at = ?, result = ?, history = ?, failures = ?, not_before = ?
       WHERE seq = ?`,
    );
    this.updateSpec = db.prepare(
      'UPDATE tasks SET spec = ?, submitted_requirements = ? WHERE seq = ?',
    );
    this.upsertWorker = db.prepare(
      `INSERT INTO workers (id, name, capabilities, labels, slots, status, registered_at,
         secret_sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
         labels = excluded.labels, slots = excluded.slots, status = excluded.status,
         secret_sha256 = excluded.secret_sha256`,
    );
  }

  /** Notes what the events changed; nothing is written until `flush`. */
  collect(events: readonly StateEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'TaskSubmitted':
          this.newTasks.add(event.task);
          break;
        case 'TaskAssigned':
        case 'TaskRequeued':
        case 'TaskEnded':
          if (!this.newTasks.has(event.task)) this.changedTasks.add(event.task);
          break;
        case 'TaskRetargeted':
          // Its spec, and its backoff, which a retarget ends.
          if (!this.newTasks.has(event.task)) {
            this.retargetedTasks.add(event.task);
            this.changedTasks.add(event.task);
          }
          break;
        case 'WorkerRegistered':
        case 'WorkerLost':
        case 'WorkerDrained':
          this.changedWorkers.add(event.worker);
          break;
        case 'CredentialsSet':
          this.credentials = event.credentials;
          break;
        // Starting is liveness, not durable state: a restart resumes from `assigned`.
        case 'TaskStarted':
        case 'TaskDeduplicated':
        case 'SubmitRefused':
        case 'ResultAcked':
        case 'LeaseRevoked':
        // Draining is kept in memory only (see `WorkerRecord.draining`).
        case 'WorkerDraining':
          break;
        case 'RunOpened':
        case 'RunResultsRecorded':
        case 'RunResultsRefused':
        case 'RunsPruned':
        case 'QuarantineChanged':
          this.runs.collect(event);
          break;
        case 'WebhookChanged':
        case 'DeliveriesChanged':
          this.webhooks.collect(event);
          break;
        case 'KeyChanged':
          this.keys.collect(event);
          break;
        case 'Audited':
          this.audit.collect(event);
          break;
        default:
          event satisfies never;
      }
    }
  }

  /** Writes every collected row in its current state. Call inside the batch's transaction. */
  flush(): void {
    for (const task of this.newTasks) this.insert(task);
    for (const task of this.changedTasks) this.update(task);
    for (const task of this.retargetedTasks) {
      this.updateSpec.run(...specColumns(task), task.seq);
    }
    for (const worker of this.changedWorkers) this.saveWorker(worker);
    if (this.credentials !== undefined) {
      const now = Date.now();
      this.upsertCredential.run('admin', this.credentials.adminKeySha256, now);
      this.upsertCredential.run('worker', this.credentials.workerTokenSha256, now);
    }
    this.runs.flush();
    this.webhooks.flush();
    this.keys.flush();
    this.audit.flush();
    this.discard();
  }

  /**
   * Makes the tables hold exactly `state` (a cluster member restored from a snapshot), but for
   * the audit log, which is only ever appended to. Call
   * inside a transaction, with whatever must change with them.
   */
  replaceAll(state: CoordinatorState): void {
    this.db.exec(
      'DELETE FROM tasks; DELETE FROM workers; DELETE FROM credentials; DELETE FROM runs; DELETE FROM run_results; DELETE FROM quarantine; DELETE FROM webhooks; DELETE FROM deliveries; DELETE FROM api_keys;',
    );
    for (const task of state.tasks.values()) this.newTasks.add(task);
    this.runs.addAll(state);
    this.webhooks.addAll(state);
    this.keys.addAll(state);
    this.audit.resumeAt(state);
    for (const worker of state.workers.values()) this.changedWorkers.add(worker);
    this.credentials = state.credentials;
    this.flush();
  }

  /** Forgets what was collected (the transaction rolled back). */
  discard(): void {
    this.newTasks.clear();
    this.changedTasks.clear();
    this.retargetedTasks.clear();
    this.changedWorkers.clear();
    this.credentials = undefined;
    this.runs.discard();
    this.webhooks.discard();
    this.keys.discard();
    this.audit.discard();
  }

  private insert(task: TaskRecord): void {
    this.insertTask.run(
      task.seq,
      task.id,
      ...specColumns(task),
      task.submittedAt,
      task.owner ?? null,
      ...mutableColumns(task),
    );
  }

  private update(task: TaskRecord): void {
    this.updateTask.run(...mutableColumns(task), task.seq);
  }

  private saveWorker(worker: WorkerRecord): void {
    this.upsertWorker.run(
      worker.id,
      worker.name,
      JSON.stringify(worker.capabilities),
      JSON.stringify(worker.labels),
      worker.slots,
      worker.status,
      worker.registeredAt,
      worker.secretSha256 ?? null,
    );
  }
}
