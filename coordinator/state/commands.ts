import type {
  Capabilities,
  Labels,
  LeaseRef,
  Requirements,
  ResultReport,
  TaskSpec,
} from '../../protocol/index.js';

/**
 * Every change to coordinator state is one of these. Time enters only as `now`, ids are chosen
 * at the edge, so applying the same commands to the same state always gives the same result.
 */
export type Command =
  | { type: 'SubmitTasks'; now: number; tasks: Array<{ id: string; spec: TaskSpec }> }
  | ({
      type: 'RegisterWorker';
      now: number;
      workerId: string;
      name: string;
      capabilities: Capabilities;
      labels: Labels;
      slots: number;
      /** Null for a registration without a live connection (REST). */
      inFlight: LeaseRef[] | null;
      /**
       * With `inFlight`: the connection it registered on, named at the edge (unique to that
       * connection); its `WorkerDisconnected` names the same.
       */
      connection?: string;
      /** The worker says it is draining (it reconnected mid-drain). */
      draining?: boolean;
    } & WorkerProof)
  | { type: 'Heartbeat'; now: number; workerId: string }
  /**
   * The connection `connection` closed. It changes nothing when the worker registered since on
   * another one: the commit of a registration and the close of its socket race with the
   * worker's next registration, and the log may put this after it.
   */
  | { type: 'WorkerDisconnected'; now: number; workerId: string; connection: string }
  /**
   * Cluster mode: a member became the leader, and no worker is connected to it yet. Every worker
   * not dead awaits its reconnection, as after a single coordinator's restart: disconnected, its
   * leases kept, no new tasks until it registers with the new leader.
   */
  | { type: 'LeaderElected'; now: number }
  | { type: 'ExpireWorker'; now: number; workerId: string; reason: string }
  | { type: 'AssignTasks'; now: number; placements: Placement[] }
  | { type: 'StartTask'; now: number; workerId: string; lease: LeaseRef }
  | { type: 'RecordResults'; now: number; workerId: string; reports: ResultReport[] }
  | { type: 'CancelTasks'; now: number; taskIds?: string[]; group?: string; reason: string }
  /**
   * Each named task that has not ended takes `requirements` in place of its own for its next
   * placements; a queued one is placeable at once, a retry backoff ended. With `revokeRunning`,
   * an attempt on a worker they rule out is stopped and queued again, not charged; otherwise it
   * runs on where it is.
   */
  | {
      type: 'RetargetTasks';
      now: number;
      taskIds: string[];
      requirements: Requirements;
      revokeRunning: boolean;
    }
  /** The clock moved: tasks whose retry backoff ran out become placeable. */
  | { type: 'Tick'; now: number }
  /** An attempt ran past its timeout with no result while its worker stayed alive. */
  | { type: 'ExpireLease'; now: number; lease: LeaseRef; reason: string }
  /**
   * The worker takes no new tasks from now on: an admin asked (`by: 'admin'`, and the worker is
   * to be told, with `graceMs` if given), or the worker announced it (`by: 'worker'`).
   */
  | { type: 'DrainWorker'; now: number; workerId: string; by: DrainSource; graceMs?: number }
  /** The worker hands back attempts it will not finish: requeued at once, not charged. */
  | { type: 'ReleaseTasks'; now: number; workerId: string; leases: LeaseRef[]; reason: string }
  /**
   * Cluster mode: the one admin key and worker token every member accepts, as SHA-256 hashes
   * (hex). Proposed by a leader that finds none; ignored once the state has credentials.
   */
  | {
      type: 'SetCredentials';
      now: number;
      adminKeySha256: string;
      workerTokenSha256: string;
    };

export type DrainSource = 'admin' | 'worker';

/**
 * How a registration speaks for its worker id, settled where the log puts it: a worker id
 * with a secret is taken only with that secret (or by the admin key); one without takes
 * `newSecretSha256`. Only hashes: the secrets themselves never enter the state or the log.
 */
export interface WorkerProof {
  /** SHA-256 (hex) of the secret the registrant presented. */
  secretSha256?: string;
  /** SHA-256 (hex) of a fresh secret made at the edge, issued if the id has none yet. */
  newSecretSha256?: string;
  /** Registered with the admin key, which may act for any worker. */
  byAdmin?: true;
}

export interface Placement {
  taskId: string;
  workerId: string;
  /** A lower-priority attempt on that worker to stop first, freeing its slot. */
  preempts?: LeaseRef;
}
