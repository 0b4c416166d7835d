import { z } from 'zod';
import { Capabilities, Labels, WorkerKind, WorkerStatus } from './capabilities.js';
import {
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_LIMIT,
  MAX_TASK_SLOTS,
  MAX_TASKS_PER_SUBMIT,
} from './limits.js';
import { ROLES } from './roles.js';
import { Requirements, TaskResult, TaskSpec, TaskState, TaskView } from './task.js';
import { PROTOCOL_VERSION } from './version.js';
import { MAX_DRAIN_GRACE_MS, WorkerSecret } from './worker-messages.js';

/** `POST /api/tasks/submit`: `{ tasks: [...] }`; a bare spec or array is accepted too. */
export const RestSubmitBody = z.object({
  tasks: z.array(TaskSpec).min(1).max(MAX_TASKS_PER_SUBMIT),
});
export type RestSubmitBody = z.infer<typeof RestSubmitBody>;

/** The answer to `POST /api/tasks/submit` once the tasks are durable, in the order given. */
export const RestSubmitReply = z.object({ taskIds: z.array(z.string()) });
export type RestSubmitReply = z.infer<typeof RestSubmitReply>;

/**
 * `POST /api/tasks/retarget` and the `retarget` message: each named task that has not ended
 * takes `requirements`, whole, in place of its own for its next placements (a queued one is
 * placeable under them at once, a retry backoff ended). An attempt assigned or running goes on
 * where it is, unless `revokeRunning` and the new requirements rule its worker out: then it is
 * stopped and queued again, not charged to the retries.
 */
export const RetargetRequest = z
  .object({
    taskIds: z.array(z.string().min(1).max(256)).min(1).max(MAX_TASKS_PER_SUBMIT),
    requirements: Requirements,
    revokeRunning: z.boolean().default(false),
  })
  .strict();
export type RetargetRequest = z.infer<typeof RetargetRequest>;

/** What a retarget did, each id named once. */
export const RetargetReply = z.object({
  /** The tasks that took the new requirements, in the order named. */
  retargeted: z.array(z.string()),
  /** Of those, the ones whose attempt was stopped and queued again. */
  revoked: z.array(z.string()),
  /** Ids of no task. */
  notFound: z.array(z.string()),
  /** Tasks that had ended, left as they were, with the state they ended in. */
  ended: z.array(z.object({ taskId: z.string(), state: TaskState })),
});
export type RetargetReply = z.infer<typeof RetargetReply>;

/** A whole number from `min` to `max`, as a query string spells it. */
export function queryWholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/**
 * The query of `GET /api/tasks`: tasks in submission order, at most `limit` of them, those
 * after the submission sequence number `afterSeq` (paging).
 */
export const RestTasksQuery = z.object({
  state: TaskState.optional(),
  group: z.string().min(1).optional(),
  afterSeq: queryWholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryWholeNumber(1, MAX_QUERY_LIMIT).default(DEFAULT_QUERY_LIMIT),
});
export type RestTasksQuery = z.infer<typeof RestTasksQuery>;

export const RestTasksReply = z.object({ tasks: z.array(TaskView) });
export type RestTasksReply = z.infer<typeof RestTasksReply>;

/** `GET /api/results/:id`: a task's result, once it has one (404 before). */
export const RestResultReply = z.object({
  taskId: z.string(),
  state: TaskState,
  attempt: z.number().int(),
  result: TaskResult,
});
export type RestResultReply = z.infer<typeof RestResultReply>;

/**
 * `POST /api/workers/register`: records a worker without a live connection. It receives
 * tasks only once it connects to `/ws` and registers there with the same id (and secret).
 */
export const RestRegisterWorkerBody = z.object({
  workerId: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  capabilities: Capabilities,
  labels: Labels.default({}),
  slots: z.number().int().min(1).max(1024).default(1),
  /** The secret issued to this worker id; required once it has one (unless the admin key). */
  secret: WorkerSecret.optional(),
});
export type RestRegisterWorkerBody = z.infer<typeof RestRegisterWorkerBody>;

/** The answer to `POST /api/workers/register` (201). */
export const RestRegisterWorkerReply = z.object({
  workerId: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  /** Only when this registration issued the worker id its secret, as in `registered`. */
  secret: WorkerSecret.optional(),
});
export type RestRegisterWorkerReply = z.infer<typeof RestRegisterWorkerReply>;

/**
 * `POST /api/workers/status`: a heartbeat over REST, or (`status: 'lost'`) word from whoever
 * runs the worker that it died, so its tasks are reassigned at once. Only the worker's own
 * secret (or the admin key) may speak for it.
 */
export const RestWorkerStatusBody = z.object({
  workerId: z.string().min(1).max(128),
  status: z.enum(['alive', 'lost']).default('alive'),
  reason: z.string().max(1024).optional(),
  /** The secret issued to the worker at its first registration. */
  secret: WorkerSecret.optional(),
});
export type RestWorkerStatusBody = z.infer<typeof RestWorkerStatusBody>;

export const RestWorkerStatusReply = z.object({ workerId: z.string(), status: WorkerStatus });
export type RestWorkerStatusReply = z.infer<typeof RestWorkerStatusReply>;

/** `GET /api/whoami`: the role the bearer token grants (401 when it grants none). */
export const RestWhoamiReply = z.object({
  role: z.enum(ROLES),
  /** The managed key presented (see keys.ts); absent for the coordinator's own two. */
  keyId: z.string().optional(),
});
export type RestWhoamiReply = z.infer<typeof RestWhoamiReply>;

/**
 * `POST /api/workers/:id/drain`: the worker takes no new tasks, finishes what it runs within
 * `graceMs` (absent: the worker's own default), hands back the rest and exits.
 */
export const RestDrainWorkerBody = z.object({
  graceMs: z.number().int().min(0).max(MAX_DRAIN_GRACE_MS).optional(),
});
export type RestDrainWorkerBody = z.infer<typeof RestDrainWorkerBody>;

/** The answer to `POST /api/workers/:id/drain`. */
export const RestDrainWorkerReply = z.object({
  workerId: z.string(),
  name: z.string(),
  status: WorkerStatus,
  draining: z.boolean(),
  /** Whether the worker was connected and so was told now; otherwise it is told when it reconnects. */
  notified: z.boolean(),
  /** Attempts still running there, to be finished or handed back. */
  running: z.number().int().nonnegative(),
  graceMs: z.number().int().nonnegative().optional(),
});
export type RestDrainWorkerReply = z.infer<typeof RestDrainWorkerReply>;

/**
 * `POST /api/raft/transfer_leadership` (admin, cluster mode, answered by the leader): hand
 * leadership to `to` (default: the most caught-up follower) and wait at most `timeoutMs`.
 */
export const RestTransferLeadershipBody = z.object({
  to: z.string().min(1).max(128).optional(),
  timeoutMs: z.number().int().min(1).max(60_000).default(2_000),
});
export type RestTransferLeadershipBody = z.infer<typeof RestTransferLeadershipBody>;

/** The answer to `POST /api/raft/transfer_leadership` once another member leads. */
export const RestTransferLeadershipReply = z.object({
  from: z.string(),
  to: z.string(),
  leader: z.string(),
  ms: z.number().nonnegative(),
});
export type RestTransferLeadershipReply = z.infer<typeof RestTransferLeadershipReply>;

/** A worker's circuit breaker: `open` takes no tasks, `half-open` takes one probe task. */
export const BreakerState = z.enum(['closed', 'open', 'half-open']);
export type BreakerState = z.infer<typeof BreakerState>;

/** A worker's health as `GET /api/workers` reports it (see `coordinator/state/health.ts`). */
export const WorkerHealthView = z.object({
  /** 0-100 from recent infrastructure failures, timeouts and heartbeat jitter. */
  score: z.number().int().min(0).max(100),
  breaker: BreakerState,
  /** Infrastructure failures and timeouts since the worker's last success. */
  consecutiveFailures: z.number().int().min(0),
  /** When the breaker last opened (ms since the epoch); only while it is not closed. */
  openedAt: z.number().optional(),
});
export type WorkerHealthView = z.infer<typeof WorkerHealthView>;

/** One worker in `GET /api/workers` (`{ workers: [...] }`). */
export const RestWorkerView = z.object({
  id: z.string(),
  name: z.string(),
  status: WorkerStatus,
  slots: z.number().int(),
  /** Ids of the tasks holding a live lease on the worker. */
  running: z.array(z.string()),
  /** Taking no new tasks: finishing what it runs, then exiting. */
  draining: z.boolean(),
  labels: Labels,
  capabilities: Capabilities,
  registeredAt: z.number(),
  lastSeen: z.number(),
  health: WorkerHealthView,
});
export type RestWorkerView = z.infer<typeof RestWorkerView>;

export const RestWorkersResponse = z.object({ workers: z.array(RestWorkerView) });
export type RestWorkersResponse = z.infer<typeof RestWorkersResponse>;

/** `k=v,k2=v2` in a query: the labels of a group of workers. */
const LabelList = z
  .string()
  .max(2_048)
  .transform((text, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of text.split(',').filter((p) => p !== '')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) {
        ctx.addIssue({ code: 'custom', message: `label '${pair}' must look like key=value` });
        return z.NEVER;
      }
      labels[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    return labels;
  })
  .pipe(Labels);

/**
 * `GET /api/queue?worker=node&labels=group=gpu`: what a new worker would find: a browser (of
 * `browser`, when given; the default) or a Node worker, with `labels` (a worker group's), with
 * `features` (a Node worker's: `gpu`, `runner:numerics`) and `slots`.
 */
export const RestQueueQuery = z
  .object({
    worker: WorkerKind.default('browser'),
    browser: z.string().min(1).max(64).optional(),
    labels: LabelList.optional(),
    features: z
      .string()
      .max(2_048)
      .transform((text) => text.split(',').filter((f) => f !== ''))
      .optional(),
    slots: z.coerce.number().int().min(1).max(MAX_TASK_SLOTS).optional(),
  })
  .strict();
export type RestQueueQuery = z.infer<typeof RestQueueQuery>;
export const RestQueueReply = z.object({
  /** Queued tasks such a new worker could take now. */
  queued: z.number().int().nonnegative(),
});
export type RestQueueReply = z.infer<typeof RestQueueReply>;

/** `GET /api/health`: the process answers. */
export const RestHealthReply = z.object({ status: z.literal('ok') });
export type RestHealthReply = z.infer<typeof RestHealthReply>;

/** `GET /api/health/db`: a query on this member's database and its size. */
export const RestDatabaseHealthReply = z.object({
  status: z.literal('ok'),
  journalMode: z.string(),
  pageCount: z.number().int(),
  pageSize: z.number().int(),
  queryMs: z.number(),
});
export type RestDatabaseHealthReply = z.infer<typeof RestDatabaseHealthReply>;

/** `GET /api/health/resources`: this member's memory and event loop delay. */
export const RestResourceHealthReply = z.object({
  rssBytes: z.number().int(),
  heapUsedBytes: z.number().int(),
  eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number() }),
  uptimeSeconds: z.number(),
});
export type RestResourceHealthReply = z.infer<typeof RestResourceHealthReply>;

/** Where a cluster member stands in the Raft group, as `GET /api/status` reports it. */
export const RestRaftStatus = z.object({
  id: z.string(),
  term: z.number().int(),
  leader: z.string().nullable(),
  leaderUrl: z.string().nullable(),
  commitIndex: z.number().int(),
  appliedIndex: z.number().int(),
  firstIndex: z.number().int(),
  lastIndex: z.number().int(),
  /** ReadIndex rounds this member started; the linearizable reads it served shared them. */
  readRounds: z.number().int(),
});

/** `GET /api/status`: this member: its role, what it holds, the protocol it speaks. */
export const RestStatusReply = z.object({
  role: z.enum(['standalone', 'leader', 'follower', 'candidate', 'precandidate']),
  /** Cluster mode only. */
  raft: RestRaftStatus.optional(),
  protocolVersion: z.literal(PROTOCOL_VERSION),
  startedAt: z.number(),
  uptimeMs: z.number(),
  tasks: z.record(TaskState, z.number().int()),
  queued: z.number().int(),
  workers: z.record(WorkerStatus, z.number().int()),
});
export type RestStatusReply = z.infer<typeof RestStatusReply>;

/** The answer to a peer frame on `POST /api/raft/*` (the frame is applied asynchronously). */
export const RestPeerFrameReply = z.object({ accepted: z.literal(true) });
export type RestPeerFrameReply = z.infer<typeof RestPeerFrameReply>;

/** Every error answer: the code and what was wrong (`not_leader` may name the leader). */
export const RestErrorReply = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    leader: z.string().nullable().optional(),
  }),
});
export type RestErrorReply = z.infer<typeof RestErrorReply>;
