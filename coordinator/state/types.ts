import type {
  ApiKey,
  AttemptRecord,
  AuditHead,
  Capabilities,
  Delivery,
  Labels,
  QuarantineEntry,
  Requirements,
  TaskResult,
  TaskSpec,
  TaskState,
  Webhook,
  WorkerStatus,
} from '../../protocol/index.js';
import type { DelayedQueue } from './delayed-queue.js';
import type { WorkerHealth } from './health.js';
import type { SchedulingPolicy } from './policy.js';
import type { ReadyQueue } from './ready-queue.js';
import type { RunRecord } from './runs.js';

export interface TaskRecord {
  id: string;
  /** Submission order; FIFO within a priority follows it. */
  seq: number;
  /** As submitted, but for `requirements` after a retarget (see `submittedRequirements`). */
  spec: TaskSpec;
  /**
   * The requirements it was submitted with, once a retarget replaced them in `spec`: a repeat of
   * its submit (the same idempotency key) is compared with the spec as it was submitted.
   */
  submittedRequirements?: Requirements;
  state: TaskState;
  /** 0 until first assigned; every assignment counts up. */
  attempt: number;
  /** Attempts that failed for reasons that are retried; charged against `retry.maxRetries`. */
  failures: number;
  /** While queued after a failure: not to be placed before this time (retry backoff). */
  notBefore?: number;
  /** While queued: parents (`dependsOn`) that have not succeeded yet. */
  waitingOn: number;
  /** In the ready queue: queued, no parent pending, no backoff running. */
  placeable: boolean;
  /** The live lease while assigned or running; the last one issued otherwise. 0 = never. */
  leaseToken: number;
  workerId?: string;
  submittedAt: number;
  /** The managed key that submitted it (see protocol/keys.ts); none for the admin key's. */
  owner?: string;
  assignedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  result?: TaskResult;
  history: AttemptRecord[];
  /** Bumped every time the task enters the queue, so stale queue entries can be told apart. */
  queueEpoch: number;
  /**
   * It failed the same way on two workers, so its failures are not charged to workers' health
   * (see `health.ts`). In memory only.
   */
  blamed?: true;
}

export interface WorkerRecord {
  id: string;
  name: string;
  capabilities: Capabilities;
  labels: Labels;
  slots: number;
  status: WorkerStatus;
  registeredAt: number;
  lastSeen: number;
  /** Tasks holding a live lease on this worker. */
  running: Set<string>;
  /** Health score inputs and circuit breaker (see `health.ts`). In memory only: a restart starts afresh. */
  health: WorkerHealth;
  /**
   * Draining (`dtf drain`, or the worker was told to stop): it takes no new tasks. Kept in
   * memory only: after a coordinator restart a draining worker says so again when it registers.
   */
  draining: boolean;
  /**
   * Its connection was to a coordinator that is gone (a restarted one, a leader that lost
   * office): what that coordinator assigned last may never have reached it. When it registers
   * again, an attempt it was assigned but never started and does not hold is requeued uncharged.
   */
  awaitingReconnect: boolean;
  /**
   * The connection it registered on last (see `RegisterWorker.connection`): the only one whose
   * close disconnects it. In Raft snapshots, since every member must judge the log's
   * disconnects alike; not in SQLite, since a restarted coordinator has every worker
   * disconnected, and only the registrations it commits itself are followed by disconnects.
   */
  connection?: string;
  /**
   * SHA-256 (hex) of the secret issued to this worker id at its first registration: a later
   * registration must present that secret. Absent for a record from before secrets existed.
   */
  secretSha256?: string;
}

export interface StateConfig {
  heartbeatIntervalMs: number;
  /** A worker silent for this many intervals is dead and its leases expire. */
  heartbeatMisses: number;
  /** Workers with a health score under this (0-100) get no new tasks; default 70. */
  healthThreshold?: number;
  /** Consecutive infrastructure failures or timeouts that open a worker's breaker; default 3. */
  breakerFailures?: number;
  /** How long an open breaker waits before it lets one probe task through; default 300 s. */
  breakerCooldownMs?: number;
  /** Scheduling policies; every field left out takes its default (see `policy.ts`). */
  scheduling?: Partial<SchedulingPolicy>;
}

export interface CoordinatorState {
  config: StateConfig;
  tasks: Map<string, TaskRecord>;
  workers: Map<string, WorkerRecord>;
  byGroup: Map<string, TaskRecord[]>;
  byIdempotencyKey: Map<string, string>;
  /** Unfinished tasks that depend on a task, by the parent's id. */
  dependents: Map<string, TaskRecord[]>;
  ready: ReadyQueue;
  /** Queued tasks waiting out a retry backoff; they join `ready` when due. */
  delayed: DelayedQueue;
  nextSeq: number;
  lastLeaseToken: number;
  /** The latest `now` of any command applied: the scheduler's notion of the present. */
  clock: number;
  /** Recent run time of each named test, for longest-first packing (see `durations.ts`). */
  durations: Map<string, number>;
  /** Measured speed of stage work per worker and per browser (see `stage-speeds.ts`). */
  stageSpeeds: Map<string, StageSpeedHistory>;
  /** Fair share: each group's virtual time, advanced by 1 / weight per task placed. */
  groupPass: Map<string, number>;
  /** The virtual time of the group served last: a group coming back starts there. */
  passFloor: number;
  /** Attempts holding a lease, by task priority: whether preemption could find a victim. */
  runningByPriority: Map<number, number>;
  /** Bumped whenever the set of schedulable workers changes; requirement matches are cached by it. */
  workersVersion: number;
  /** Cluster mode: the credentials' hashes once a `SetCredentials` entry is applied. */
  credentials?: CredentialHashes;
  /** Tasks by state, kept as they change (`setTaskState`): a count never walks the tasks. */
  taskCounts: Record<TaskState, number>;
  /** The results store: runs in the order they were opened, each with its results. */
  runs: Map<string, RunRecord>;
  /** Quarantined tests by `quarantineKey`: their failures do not fail runs. */
  quarantine: Map<string, QuarantineEntry>;
  /** Webhooks by id, and their deliveries by id in the order they were queued. */
  webhooks: Map<string, Webhook>;
  /** API keys beyond the coordinator's own two, by id, in the order they were created. */
  keys: Map<string, ApiKey>;
  deliveries: Map<string, Delivery>;
  /**
   * Unfinished tasks (queued, assigned, running) by the key that submitted them (a managed key's
   * id, `OWN_ADMIN_KEY` for the coordinator's own admin key): what the queue bounds count.
   */
  unfinishedByOwner: Map<string, number>;
  /** The audit log's newest entry: what the next one chains to (see `audit.ts`). */
  auditHead: AuditHead;
}

/** SHA-256 hashes (hex) of the admin key and the worker join token. */
export interface CredentialHashes {
  adminKeySha256: string;
  workerTokenSha256: string;
}

/** A stage speed's recent runs (ms per GFLOP, oldest first) and how many runs it has seen. */
export interface StageSpeedHistory {
  recent: number[];
  samples: number;
}
