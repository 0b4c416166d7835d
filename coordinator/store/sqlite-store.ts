import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StateEvent, TaskRecord, WorkerRecord } from '../state/index.js';
import { MIGRATIONS } from './schema.js';

export const DB_FILE = 'dtf.sqlite';

/** Opens (creating if needed) the coordinator database under `dataDir`, migrated and in WAL mode. */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE));
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

/** Writes the rows that state events changed. Call inside a transaction. */
export class EventWriter {
  private readonly insertTask: Database.Statement;
  private readonly updateTask: Database.Statement;
  private readonly upsertWorker: Database.Statement;
  private readonly updateWorkerStatus: Database.Statement;

  constructor(db: Database.Database) {
    this.insertTask = db.prepare(
      `INSERT INTO tasks (seq, id, spec, state, attempt, lease_token, worker_id, submitted_at, history)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateTask = db.prepare(
      `UPDATE tasks SET state = ?, attempt = ?, lease_token = ?, worker_id = ?, assigned_at = ?,
         started_at = ?, finished_at = ?, result = ?, history = ? WHERE seq = ?`,
    );
    this.upsertWorker = db.prepare(
      `INSERT INTO workers (id, name, capabilities, labels, slots, status, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
         labels = excluded.labels, slots = excluded.slots, status = excluded.status`,
    );
    this.updateWorkerStatus = db.prepare('UPDATE workers SET status = ? WHERE id = ?');
  }

  write(events: readonly StateEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'TaskSubmitted':
          this.insert(event.task);
          break;
        case 'TaskAssigned':
        case 'TaskRequeued':
        case 'TaskEnded':
          this.update(event.task);
          break;
        case 'WorkerRegistered':
          this.saveWorker(event.worker);
          break;
        case 'WorkerLost':
          this.updateWorkerStatus.run(event.worker.status, event.worker.id);
          break;
        // Starting is liveness, not durable state: a restart resumes from `assigned`.
        case 'TaskStarted':
        case 'TaskDeduplicated':
        case 'ResultAcked':
        case 'LeaseRevoked':
          break;
      }
    }
  }

  private insert(task: TaskRecord): void {
    this.insertTask.run(
      task.seq,
      task.id,
      JSON.stringify(task.spec),
      task.state,
      task.attempt,
      task.leaseToken,
      task.workerId ?? null,
      task.submittedAt,
      JSON.stringify(task.history),
    );
  }

  private update(task: TaskRecord): void {
    this.updateTask.run(
      task.state,
      task.attempt,
      task.leaseToken,
      task.workerId ?? null,
      task.assignedAt ?? null,
      task.startedAt ?? null,
      task.finishedAt ?? null,
      optionalJson(task.result),
      JSON.stringify(task.history),
      task.seq,
    );
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
    );
  }
}
