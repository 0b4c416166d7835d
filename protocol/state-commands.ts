import { z } from 'zod';
import { AuditStamp, MAX_AUDIT_TARGET_CHARS } from './audit.js';
import { Capabilities, Labels } from './capabilities.js';
import { ApiKey, KeyId } from './keys.js';
import {
  QuarantineRequest,
  ReleaseRequest,
  ResultInput,
  RunOpenRequest,
  RunStatus,
} from './runs.js';
import { Requirements, TaskSpec } from './task.js';
import { DeliveryAttempt, Notification, Webhook, WebhookId } from './webhooks.js';
import { LeaseRef, ResultReport } from './worker-messages.js';

/**
 * The coordinator's state-machine commands: every change to its state is one of these, and in a
 * cluster they are what the Raft log carries, validated against this schema when applied. Time
 * enters only as `now` and ids are chosen at the edge, so applying the same commands to the same
 * state always gives the same result.
 */

const now = z.number().finite();
const id = z.string().min(1);
/** Who asked for a change an admin or submitter key makes: the state appends it to the audit log. */
const audited = { audit: AuditStamp.optional() };
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lowercase hex');

export const DrainSource = z.enum(['admin', 'worker']);
export type DrainSource = z.infer<typeof DrainSource>;

/**
 * How a registration speaks for its worker id, settled where the log puts it: a worker id
 * with a secret is taken only with that secret (or by the admin key); one without takes
 * `newSecretSha256`. Only hashes: the secrets themselves never enter the state or the log.
 */
export const WorkerProof = z.object({
  /** SHA-256 (hex) of the secret the registrant presented. */
  secretSha256: sha256Hex.optional(),
  /** SHA-256 (hex) of a fresh secret made at the edge, issued if the id has none yet. */
  newSecretSha256: sha256Hex.optional(),
  /** Registered with the admin key, which may act for any worker. */
  byAdmin: z.literal(true).optional(),
});
export type WorkerProof = z.infer<typeof WorkerProof>;

export const Placement = z.object({
  taskId: id,
  workerId: id,
  /** A lower-priority attempt on that worker to stop first, freeing its slot. */
  preempts: LeaseRef.optional(),
});
export type Placement = z.infer<typeof Placement>;

export const StateCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('SubmitTasks'),
    now,
    tasks: z.array(z.object({ id, spec: TaskSpec })),
    /** The managed key that submitted them: a submitter key may cancel and retarget only its own. */
    owner: KeyId.optional(),
    ...audited,
  }),
  z.object({
    type: z.literal('RegisterWorker'),
    now,
    workerId: id,
    name: z.string(),
    capabilities: Capabilities,
    labels: Labels,
    slots: z.number().int().nonnegative(),
    /** Null for a registration without a live connection (REST). */
    inFlight: z.array(LeaseRef).nullable(),
    /**
     * With `inFlight`: the connection it registered on, named at the edge (unique to that
     * connection); its `WorkerDisconnected` names the same.
     */
    connection: z.string().optional(),
    /** The worker says it is draining (it reconnected mid-drain). */
    draining: z.boolean().optional(),
    ...WorkerProof.shape,
  }),
  z.object({ type: z.literal('Heartbeat'), now, workerId: id }),
  /**
   * The connection `connection` closed. It changes nothing when the worker registered since on
   * another one: the commit of a registration and the close of its socket race with the
   * worker's next registration, and the log may put this after it.
   */
  z.object({ type: z.literal('WorkerDisconnected'), now, workerId: id, connection: z.string() }),
  /**
   * Cluster mode: a member became the leader, and no worker is connected to it yet. Every worker
   * not dead awaits its reconnection, as after a single coordinator's restart: disconnected, its
   * leases kept, no new tasks until it registers with the new leader.
   */
  z.object({ type: z.literal('LeaderElected'), now }),
  z.object({ type: z.literal('ExpireWorker'), now, workerId: id, reason: z.string() }),
  z.object({ type: z.literal('AssignTasks'), now, placements: z.array(Placement) }),
  z.object({ type: z.literal('StartTask'), now, workerId: id, lease: LeaseRef }),
  z.object({
    type: z.literal('RecordResults'),
    now,
    workerId: id,
    reports: z.array(ResultReport),
  }),
  z.object({
    type: z.literal('CancelTasks'),
    now,
    taskIds: z.array(id).optional(),
    group: z.string().optional(),
    reason: z.string(),
    /** Only the tasks this managed key submitted (a submitter key's request). */
    owner: KeyId.optional(),
    ...audited,
  }),
  /**
   * Each named task that has not ended takes `requirements` in place of its own for its next
   * placements; a queued one is placeable at once, a retry backoff ended. With `revokeRunning`,
   * an attempt on a worker they rule out is stopped and queued again, not charged; otherwise it
   * runs on where it is.
   */
  z.object({
    type: z.literal('RetargetTasks'),
    now,
    taskIds: z.array(id),
    requirements: Requirements,
    revokeRunning: z.boolean(),
    /** Only the tasks this managed key submitted (a submitter key's request). */
    owner: KeyId.optional(),
    ...audited,
  }),
  /** The clock moved: tasks whose retry backoff ran out become placeable. */
  z.object({ type: z.literal('Tick'), now }),
  /** An attempt ran past its timeout with no result while its worker stayed alive. */
  z.object({ type: z.literal('ExpireLease'), now, lease: LeaseRef, reason: z.string() }),
  /**
   * The worker takes no new tasks from now on: an admin asked (`by: 'admin'`, and the worker is
   * to be told, with `graceMs` if given), or the worker announced it (`by: 'worker'`).
   */
  z.object({
    type: z.literal('DrainWorker'),
    now,
    workerId: id,
    by: DrainSource,
    graceMs: z.number().nonnegative().optional(),
    ...audited,
  }),
  /** The worker hands back attempts it will not finish: requeued at once, not charged. */
  z.object({
    type: z.literal('ReleaseTasks'),
    now,
    workerId: id,
    leases: z.array(LeaseRef),
    reason: z.string(),
  }),
  /**
   * Cluster mode: the one admin key and worker token every member accepts, as SHA-256 hashes
   * (hex). Proposed by a leader that finds none; ignored once the state has credentials.
   */
  z.object({
    type: z.literal('SetCredentials'),
    now,
    adminKeySha256: sha256Hex,
    workerTokenSha256: sha256Hex,
  }),
  /** A run of a suite began: its results are recorded under its id (its tasks' group). */
  z.object({ type: z.literal('OpenRun'), now, run: RunOpenRequest, ...audited }),
  /** Results of an open run, and with `end`, how it ended. */
  z.object({
    type: z.literal('RecordRunResults'),
    now,
    runId: id,
    results: z.array(ResultInput),
    end: z.object({ status: RunStatus.exclude(['running']) }).optional(),
    ...audited,
  }),
  /** The test (where it names a place, only there) no longer fails runs; or again does. */
  z.object({ type: z.literal('QuarantineTest'), now, entry: QuarantineRequest, ...audited }),
  z.object({ type: z.literal('ReleaseTest'), now, entry: ReleaseRequest, ...audited }),
  /** A key, its secret chosen at the edge and only its hash kept; at most `MAX_KEYS`. */
  z.object({ type: z.literal('CreateKey'), now, key: ApiKey, ...audited }),
  /** The key is refused from `now` on (it stays listed). */
  z.object({ type: z.literal('RevokeKey'), now, id: KeyId, ...audited }),
  /** The key takes a new secret (its hash); the old one works until `graceUntil`. */
  z.object({
    type: z.literal('RotateKey'),
    now,
    id: KeyId,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    graceUntil: z.number().int().nonnegative(),
    ...audited,
  }),
  /** A webhook to notify, its id and secret chosen at the edge. */
  z.object({ type: z.literal('AddWebhook'), now, webhook: Webhook, ...audited }),
  /** The webhook is removed, and its pending deliveries with it. */
  z.object({ type: z.literal('RemoveWebhook'), now, id: WebhookId, ...audited }),
  /**
   * Notifications found at the edge (regressions, a test ping): each becomes a delivery to
   * every webhook that takes its event (only `webhook`, when given), with the id
   * `${key}:${webhook}`: queueing the same key again adds nothing.
   */
  z.object({
    type: z.literal('QueueNotifications'),
    now,
    key: z.string().min(1).max(192),
    notifications: z.array(Notification).max(4),
    webhook: WebhookId.optional(),
  }),
  /** How an attempt at a delivery went. */
  /** An admin action that changes no state (a leadership transfer), kept in the audit log. */
  z.object({
    type: z.literal('RecordAudit'),
    now,
    audit: AuditStamp,
    action: z.string().min(1).max(64),
    target: z.string().max(MAX_AUDIT_TARGET_CHARS),
  }),
  z.object({ type: z.literal('RecordDeliveryAttempt'), now, attempt: DeliveryAttempt }),
  /**
   * Retention, in the command so that every member prunes alike: of each suite, only the
   * `keepRuns` newest runs are kept, and none that started more than `keepDays` before `now`.
   */
  z.object({
    type: z.literal('PruneRuns'),
    now,
    keepRuns: z.number().int().positive(),
    keepDays: z.number().positive(),
  }),
]);
export type StateCommand = z.infer<typeof StateCommand>;
