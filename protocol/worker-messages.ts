import { z } from 'zod';
import { Capabilities, Labels } from './capabilities.js';
import { MAX_REQUEST_ID_LENGTH, MAX_TASK_SLOTS } from './limits.js';
import { type Role, WORKERS } from './roles.js';
import { TaskResult } from './task.js';
import { PAYLOADS, ShardStageAssignmentPayload, type TaskKind } from './task-kinds.js';
import { PROTOCOL_VERSION } from './version.js';

const v = z.literal(PROTOCOL_VERSION);
const requestId = z.string().min(1).max(MAX_REQUEST_ID_LENGTH);

/**
 * The secret the coordinator issued to a worker id at its first registration (`registered`):
 * proof that a later `register`, or a REST call about the worker, speaks for that worker.
 */
export const WorkerSecret = z.string().min(1).max(256);

/** Identifies one attempt of a task; a result counts only if all three match the live lease. */
export const LeaseRef = z.object({
  taskId: z.string().min(1),
  attempt: z.number().int().positive(),
  leaseToken: z.number().int().positive(),
});
export type LeaseRef = z.infer<typeof LeaseRef>;

// worker -> coordinator

export const RegisterMessage = z.object({
  v,
  type: z.literal('register'),
  id: requestId.optional(),
  /** Chosen by the worker once per process, so a reconnect resumes the same worker. */
  workerId: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  capabilities: Capabilities,
  labels: Labels,
  slots: z.number().int().min(1).max(1024),
  /** Attempts the worker is still running or holds unacknowledged results for. */
  inFlight: z.array(LeaseRef).max(100_000),
  /** The process is draining (it reconnected mid-drain): it takes no new tasks. */
  draining: z.boolean().optional(),
  /** The secret issued to this worker id; required once the coordinator has issued one. */
  secret: WorkerSecret.optional(),
});
export type RegisterMessage = z.infer<typeof RegisterMessage>;

export const HeartbeatMessage = z.object({ v, type: z.literal('heartbeat') });
export type HeartbeatMessage = z.infer<typeof HeartbeatMessage>;

export const ProgressMessage = z.object({
  v,
  type: z.literal('progress'),
  ...LeaseRef.shape,
  phase: z.enum(['started', 'message']),
  message: z.string().max(4096).optional(),
});
export type ProgressMessage = z.infer<typeof ProgressMessage>;

export const ResultReport = z.object({ ...LeaseRef.shape, result: TaskResult });
export type ResultReport = z.infer<typeof ResultReport>;

export const ResultMessage = z.object({
  v,
  type: z.literal('result'),
  results: z.array(ResultReport).min(1).max(10_000),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

/** Longest grace period a drain may ask for (a day). */
export const MAX_DRAIN_GRACE_MS = 86_400_000;
const graceMs = z.number().int().min(0).max(MAX_DRAIN_GRACE_MS);

/** The worker is draining: it takes no new tasks, and finishes or hands back what it runs. */
export const DrainingMessage = z.object({
  v,
  type: z.literal('draining'),
  /** How long running attempts may still take before they are handed back. */
  graceMs: graceMs.optional(),
});
export type DrainingMessage = z.infer<typeof DrainingMessage>;

/**
 * Hands back attempts the worker will not finish (it is draining): each is queued again at
 * once, not charged to the task's retries. Answered by `released`.
 */
export const ReleaseMessage = z.object({
  v,
  type: z.literal('release'),
  id: requestId.optional(),
  leases: z.array(LeaseRef).min(1).max(100_000),
  reason: z.string().min(1).max(1024),
});
export type ReleaseMessage = z.infer<typeof ReleaseMessage>;

export const WorkerToCoordinator = z.discriminatedUnion('type', [
  RegisterMessage,
  HeartbeatMessage,
  ProgressMessage,
  ResultMessage,
  DrainingMessage,
  ReleaseMessage,
]);
export type WorkerToCoordinator = z.infer<typeof WorkerToCoordinator>;

/** Who may send each worker message (see roles.ts). */
export const WORKER_MESSAGE_ROLES = {
  register: WORKERS,
  heartbeat: WORKERS,
  progress: WORKERS,
  result: WORKERS,
  draining: WORKERS,
  release: WORKERS,
} as const satisfies Record<WorkerToCoordinator['type'], readonly Role[]>;

// coordinator -> worker

export const RegisteredMessage = z.object({
  v,
  type: z.literal('registered'),
  id: requestId.optional(),
  workerId: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  maxMessageBytes: z.number().int().positive(),
  /**
   * Only when this registration issued the worker id its secret (its first): keep it and
   * present it in every later `register` of this id. It is sent once and never again.
   */
  secret: WorkerSecret.optional(),
});
export type RegisteredMessage = z.infer<typeof RegisteredMessage>;

const assignmentBase = {
  ...LeaseRef.shape,
  timeoutMs: z.number().int().positive(),
  /** The task's name, for a worker to show what it runs. */
  name: z.string().max(512).optional(),
  /** The slots it takes, when more than one: the worker runs that much less beside it. */
  slots: z.number().int().min(2).max(MAX_TASK_SLOTS).optional(),
};
function assignmentOf<K extends TaskKind, P extends z.ZodType>(kind: K, payload: P) {
  return z.object({ ...assignmentBase, kind: z.literal(kind), payload });
}
/**
 * A task as a worker gets it: the payload it was submitted with, except that a shard-stage
 * task's inputs from its dependencies are resolved to the artifacts they committed.
 */
export const Assignment = z.discriminatedUnion('kind', [
  assignmentOf('command', PAYLOADS.command),
  assignmentOf('vitest', PAYLOADS.vitest),
  assignmentOf('model', PAYLOADS.model),
  assignmentOf('webgpu', PAYLOADS.webgpu),
  assignmentOf('page-test', PAYLOADS['page-test']),
  assignmentOf('shard-stage', ShardStageAssignmentPayload),
  assignmentOf('plugin', PAYLOADS.plugin),
]);
export type Assignment = z.infer<typeof Assignment>;

export const AssignMessage = z.object({
  v,
  type: z.literal('assign'),
  tasks: z.array(Assignment).min(1),
});
export type AssignMessage = z.infer<typeof AssignMessage>;

export const ResultAck = z.object({
  taskId: z.string(),
  attempt: z.number().int().positive(),
  /** False when the result was late or a duplicate: acknowledged, but not recorded. */
  recorded: z.boolean(),
  reason: z.string().optional(),
});
export type ResultAck = z.infer<typeof ResultAck>;

export const AckMessage = z.object({ v, type: z.literal('ack'), acks: z.array(ResultAck) });
export type AckMessage = z.infer<typeof AckMessage>;

/** Stop an attempt (the task was cancelled, or its lease moved elsewhere). */
export const AbortMessage = z.object({
  v,
  type: z.literal('abort'),
  taskId: z.string(),
  attempt: z.number().int().positive(),
  reason: z.string(),
});
export type AbortMessage = z.infer<typeof AbortMessage>;

/** Drain: take no new tasks, finish running ones within `graceMs`, hand back the rest, exit. */
export const DrainMessage = z.object({
  v,
  type: z.literal('drain'),
  /** Absent: the worker's own default grace period. */
  graceMs: graceMs.optional(),
});
export type DrainMessage = z.infer<typeof DrainMessage>;

export const ReleaseAck = z.object({
  taskId: z.string(),
  attempt: z.number().int().positive(),
  /** False when the worker no longer held the lease (stale): nothing was requeued. */
  returned: z.boolean(),
});
export type ReleaseAck = z.infer<typeof ReleaseAck>;

/** The answer to `release`: one entry per lease handed back. */
export const ReleasedMessage = z.object({
  v,
  type: z.literal('released'),
  id: requestId.optional(),
  acks: z.array(ReleaseAck),
});
export type ReleasedMessage = z.infer<typeof ReleasedMessage>;
