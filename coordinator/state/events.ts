import type { ResultAck } from '../../protocol/index.js';
import type { CredentialHashes, TaskRecord, WorkerRecord } from './types.js';

/** What applying a command changed; the store persists these and the edges announce them. */
export type StateEvent =
  | { type: 'TaskSubmitted'; task: TaskRecord }
  | { type: 'TaskDeduplicated'; requestedId: string; existingId: string }
  | { type: 'TaskAssigned'; task: TaskRecord }
  | { type: 'TaskStarted'; task: TaskRecord }
  | { type: 'TaskRequeued'; task: TaskRecord; reason: string }
  | { type: 'TaskEnded'; task: TaskRecord; abortOnWorker?: string; reason?: string }
  | { type: 'ResultAcked'; workerId: string; ack: ResultAck }
  | { type: 'LeaseRevoked'; workerId: string; taskId: string; attempt: number; reason: string }
  /** `secretIssued`: this registration gave the worker id its secret (the edge hands it over). */
  | { type: 'WorkerRegistered'; worker: WorkerRecord; secretIssued: boolean }
  | { type: 'WorkerLost'; worker: WorkerRecord; reason: string }
  /** The worker takes no new tasks; `by: 'admin'` means the worker must be told (`drain`). */
  | { type: 'WorkerDraining'; worker: WorkerRecord; by: 'admin' | 'worker'; graceMs?: number }
  /** Cluster mode: the replicated credentials' hashes were set (once per cluster). */
  | { type: 'CredentialsSet'; credentials: CredentialHashes };
