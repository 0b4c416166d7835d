import type {
  ApiKey,
  AuditEntry,
  Delivery,
  QuarantineEntry,
  ResultAck,
  TaskEvent,
  Webhook,
} from '../../protocol/index.js';
import type { RunRecord } from './runs.js';
import type { CredentialHashes, TaskRecord, WorkerRecord } from './types.js';

/**
 * One transition of a task. `task` is the live record, which the store writes as it stands at
 * the end of the batch; `update` is what subscribers are told, taken when the transition
 * happened: a batch may carry several transitions of one task (its start and its result), and
 * the record by then shows only the last.
 */
interface TaskTransition {
  task: TaskRecord;
  update: TaskEvent;
}

/** What applying a command changed; the store persists these and the edges announce them. */
export type StateEvent =
  | ({ type: 'TaskSubmitted' } & TaskTransition)
  | { type: 'TaskDeduplicated'; requestedId: string; existingId: string }
  /** The submit was refused as a whole (an idempotency key reused for another spec). */
  | { type: 'SubmitRefused'; key: string; index: number; existingId: string }
  | ({ type: 'TaskAssigned' } & TaskTransition)
  | ({ type: 'TaskStarted' } & TaskTransition)
  | ({ type: 'TaskRequeued'; reason: string } & TaskTransition)
  | ({ type: 'TaskEnded'; abortOnWorker?: string; reason?: string } & TaskTransition)
  /**
   * The task's requirements were replaced (its state is as it was: subscribers are not told);
   * `revoked`: its attempt was stopped, as the `LeaseRevoked` and `TaskRequeued` after it say.
   */
  | { type: 'TaskRetargeted'; task: TaskRecord; revoked: boolean }
  | { type: 'ResultAcked'; workerId: string; ack: ResultAck }
  | { type: 'LeaseRevoked'; workerId: string; taskId: string; attempt: number; reason: string }
  /** `secretIssued`: this registration gave the worker id its secret (the edge hands it over). */
  | { type: 'WorkerRegistered'; worker: WorkerRecord; secretIssued: boolean }
  | { type: 'WorkerLost'; worker: WorkerRecord; reason: string }
  /** A draining worker went away holding nothing: its drain completed. */
  | { type: 'WorkerDrained'; worker: WorkerRecord }
  /** The worker takes no new tasks; `by: 'admin'` means the worker must be told (`drain`). */
  | { type: 'WorkerDraining'; worker: WorkerRecord; by: 'admin' | 'worker'; graceMs?: number }
  /** Cluster mode: the replicated credentials' hashes were set (once per cluster). */
  | { type: 'CredentialsSet'; credentials: CredentialHashes }
  | { type: 'RunOpened'; run: RunRecord }
  /** `run.results` from index `from` on are new; `ended`: the run ended with them. */
  | { type: 'RunResultsRecorded'; run: RunRecord; from: number; ended: boolean }
  | { type: 'RunResultsRefused'; runId: string; reason: string }
  | { type: 'RunsPruned'; runIds: string[] }
  /** A test was quarantined (`entry`) or released (none). */
  | { type: 'QuarantineChanged'; key: string; entry: QuarantineEntry | undefined }
  /** A key was created, revoked or rotated: `key` as it is now. */
  | { type: 'KeyChanged'; key: ApiKey }
  /** A webhook was added or replaced (`webhook`), or removed (none). */
  | { type: 'WebhookChanged'; id: string; webhook: Webhook | undefined }
  /** Deliveries queued or attempted (as they are now), and those dropped. */
  | { type: 'DeliveriesChanged'; changed: Delivery[]; removed: string[] }
  /** An admin or submitter key's change, chained to the audit log. */
  | { type: 'Audited'; entry: AuditEntry };

/**
 * Appends `more` to `events` one by one. Not `events.push(...more)`: a spread passes each
 * event as an argument, and the ending of a long dependency chain has more than the stack holds.
 */
export function appendEvents(events: StateEvent[], more: readonly StateEvent[]): void {
  for (const event of more) events.push(event);
}
