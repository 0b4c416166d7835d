import { z } from 'zod';
import { AuditHead } from './audit.js';
import { Capabilities, Labels, WorkerStatus } from './capabilities.js';
import { ApiKey } from './keys.js';
import { QuarantineEntry, ResultInput, RunMeta, RunStatus } from './runs.js';
import { AttemptRecord, Requirements, TaskResult, TaskSpec, TaskState } from './task.js';
import { Delivery, Webhook } from './webhooks.js';

// The coordinator's replicated state at one applied log index, as cluster members store and
// send it (Raft snapshots). Everything the state machine's later commands depend on is here,
// in memory-only parts included (worker health, drain flags, fair-share clocks, queue order),
// so a member restored from it applies the log after it exactly as one that applied it all.

export const STATE_SNAPSHOT_VERSION = 1;

const Count = z.number().int().nonnegative();
const Id = z.string().min(1);
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const SnapshotTask = z.object({
  id: Id,
  seq: z.number().int().positive(),
  spec: TaskSpec,
  /** The requirements it was submitted with, once a retarget replaced them in `spec`. */
  submittedRequirements: Requirements.optional(),
  state: TaskState,
  attempt: Count,
  failures: Count,
  notBefore: z.number().optional(),
  waitingOn: Count,
  placeable: z.boolean(),
  leaseToken: Count,
  workerId: Id.optional(),
  submittedAt: z.number(),
  owner: z.string().optional(),
  assignedAt: z.number().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  result: TaskResult.optional(),
  history: z.array(AttemptRecord),
  queueEpoch: z.number().int().positive(),
  blamed: z.literal(true).optional(),
});
export type SnapshotTask = z.infer<typeof SnapshotTask>;

export const SnapshotWorkerHealth = z.object({
  recent: z.array(
    z.object({ at: z.number(), kind: z.enum(['infrastructure', 'timeout']), taskId: Id }),
  ),
  consecutiveFailures: Count,
  openedAt: z.number().optional(),
  jitterMs: z.number().nonnegative(),
  lastHeartbeatAt: z.number().optional(),
});

export const SnapshotWorker = z.object({
  id: Id,
  name: z.string(),
  capabilities: Capabilities,
  labels: Labels,
  slots: Count,
  status: WorkerStatus,
  registeredAt: z.number(),
  lastSeen: z.number(),
  /** Task ids holding a lease on the worker, in the order they took it. */
  running: z.array(Id),
  health: SnapshotWorkerHealth,
  draining: z.boolean(),
  /** Absent from snapshots written before it existed: false. */
  awaitingReconnect: z.boolean().default(false),
  /** The connection it registered on last; absent before the first, or from older snapshots. */
  connection: Id.optional(),
  /** SHA-256 of the secret issued to the worker; absent until one is issued. */
  secretSha256: Sha256Hex.optional(),
});
export type SnapshotWorker = z.infer<typeof SnapshotWorker>;

/** A run of the results store, with its results in the order they were reported. */
export const SnapshotRun = z.object({
  id: Id,
  suite: z.string(),
  meta: RunMeta,
  status: RunStatus,
  startedAt: z.number(),
  endedAt: z.number().optional(),
  results: z.array(ResultInput),
});
export type SnapshotRun = z.infer<typeof SnapshotRun>;

export const StateSnapshot = z.object({
  v: z.literal(STATE_SNAPSHOT_VERSION),
  nextSeq: z.number().int().positive(),
  lastLeaseToken: Count,
  clock: z.number(),
  passFloor: z.number(),
  workersVersion: Count,
  credentials: z
    .object({
      adminKeySha256: Sha256Hex,
      workerTokenSha256: Sha256Hex,
    })
    .optional(),
  durations: z.array(z.tuple([z.string(), z.number().nonnegative()])),
  /** Absent in snapshots of versions that kept no stage speeds. */
  stageSpeeds: z
    .array(
      z.tuple([
        z.string(),
        z.object({
          recent: z.array(z.number().nonnegative()).max(64),
          samples: z.number().int().positive(),
        }),
      ]),
    )
    .optional(),
  groupPass: z.array(z.tuple([z.string(), z.number()])),
  runningByPriority: z.array(z.tuple([z.number().int(), z.number().int().positive()])),
  workers: z.array(SnapshotWorker),
  /** Placeable tasks as [id, expected ms when queued], in the ready queue's order. */
  ready: z.array(z.tuple([Id, z.number().nonnegative()])),
  /** The retry-backoff heap as [task id, not before, queue epoch], in heap order. */
  delayed: z.array(z.tuple([Id, z.number(), z.number().int().positive()])),
  /** Tasks waiting on each parent, by the parent's id. */
  dependents: z.array(z.tuple([Id, z.array(Id)])),
  /** Every task, in submission order. */
  tasks: z.array(SnapshotTask),
  /** The results store's runs in the order they were opened; absent before it existed. */
  runs: z.array(SnapshotRun).optional(),
  /** Quarantined tests; absent before quarantine existed. */
  quarantine: z.array(QuarantineEntry).optional(),
  /** Webhooks, and their deliveries in the order queued; absent before webhooks existed. */
  webhooks: z.array(Webhook).optional(),
  deliveries: z.array(Delivery).optional(),
  /** API keys in the order created; absent before keys existed. */
  keys: z.array(ApiKey).optional(),
  /** The audit log's newest entry (the log itself stays in each member's store); absent before it. */
  auditHead: AuditHead.optional(),
});
export type StateSnapshot = z.infer<typeof StateSnapshot>;
