import type {
  AttemptRecord,
  Capabilities,
  Labels,
  TaskResult,
  TaskSpec,
  TaskState,
} from '../../protocol/index.js';
import type { ReadyQueue } from './ready-queue.js';

export interface TaskRecord {
  id: string;
  /** Submission order; FIFO within a priority follows it. */
  seq: number;
  spec: TaskSpec;
  state: TaskState;
  /** 0 until first assigned; each assignment after a lost attempt counts up. */
  attempt: number;
  /** The live lease while assigned or running; the last one issued otherwise. 0 = never. */
  leaseToken: number;
  workerId?: string;
  submittedAt: number;
  assignedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  result?: TaskResult;
  history: AttemptRecord[];
  /** Bumped every time the task enters the ready queue, so stale queue entries can be told apart. */
  queueEpoch: number;
}

export type WorkerStatus = 'connected' | 'disconnected' | 'dead';

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
}

export interface StateConfig {
  heartbeatIntervalMs: number;
  /** A worker silent for this many intervals is dead and its leases expire. */
  heartbeatMisses: number;
}

export interface CoordinatorState {
  config: StateConfig;
  tasks: Map<string, TaskRecord>;
  workers: Map<string, WorkerRecord>;
  byGroup: Map<string, TaskRecord[]>;
  byIdempotencyKey: Map<string, string>;
  ready: ReadyQueue;
  nextSeq: number;
  lastLeaseToken: number;
  /** Bumped whenever the set of schedulable workers changes; requirement matches are cached by it. */
  workersVersion: number;
}
