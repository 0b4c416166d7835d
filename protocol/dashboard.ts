import { z } from 'zod';
import { WorkerStatus } from './capabilities.js';
import { MAX_REQUEST_ID_LENGTH } from './limits.js';
import { RunStatus } from './runs.js';
import { TaskState } from './task.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * The dashboard's feed: a client asks once (`watch-dashboard`) and is sent the whole view,
 * aggregated on the coordinator, then sent it again whenever it changed, at most twice a second.
 * Everything in it is bounded: the workers come a page at a time, the lists are the newest few.
 */

/** Most workers one page of the dashboard shows. */
export const MAX_DASHBOARD_WORKERS = 100;
/** Runs, failures and matrix cells the view carries at most. */
export const DASHBOARD_RUNS = 10;
export const DASHBOARD_FAILURES = 20;
export const DASHBOARD_MATRIX_CELLS = 400;
/** The throughput chart's minutes, and the queue depth's samples (one every 10 s), an hour each. */
export const DASHBOARD_MINUTES = 60;
export const QUEUE_SAMPLE_MS = 10_000;
export const QUEUE_SAMPLES = 360;

const v = z.literal(PROTOCOL_VERSION);

export const WatchDashboardMessage = z.object({
  v,
  type: z.literal('watch-dashboard'),
  id: z.string().min(1).max(MAX_REQUEST_ID_LENGTH),
  /** Which workers to list: sorted by name, those whose name or id contains `filter`. */
  workers: z
    .object({
      offset: z.number().int().nonnegative().max(1_000_000).default(0),
      limit: z.number().int().min(1).max(MAX_DASHBOARD_WORKERS).default(50),
      filter: z.string().max(128).optional(),
    })
    .strict()
    .default({ offset: 0, limit: 50 }),
});
export type WatchDashboardMessage = z.infer<typeof WatchDashboardMessage>;

export const DashboardWorker = z.object({
  id: z.string(),
  name: z.string(),
  status: WorkerStatus,
  /** `node`, or the browser's name and major version. */
  kind: z.string(),
  /** What it can run on: `cpu`, `wasm`, `webgpu (fallback)`, `webnn`, … */
  backends: z.array(z.string()),
  slots: z.number().int(),
  draining: z.boolean(),
  health: z.object({ score: z.number(), breaker: z.string() }),
  /** Attempts it holds now: task id, name and kind. */
  running: z.array(z.object({ taskId: z.string(), name: z.string().optional(), kind: z.string() })),
  lastSeen: z.number(),
});
export type DashboardWorker = z.infer<typeof DashboardWorker>;

export const DashboardRun = z.object({
  id: z.string(),
  suite: z.string(),
  status: RunStatus,
  startedAt: z.number(),
  endedAt: z.number().optional(),
  commit: z.string().optional(),
  /** Its tasks (those of its group): how many, ended, failed, running. */
  tasks: z.object({
    total: z.number().int(),
    ended: z.number().int(),
    failed: z.number().int(),
    running: z.number().int(),
  }),
  /** Results recorded (at its end) by status. */
  results: z.object({ passed: z.number().int(), failed: z.number().int() }),
});
export type DashboardRun = z.infer<typeof DashboardRun>;

export const DashboardCell = z.object({
  test: z.string(),
  browser: z.string(),
  backend: z.string(),
  status: z.string(),
  medianMs: z.number().optional(),
  error: z.string().max(300).optional(),
});
export type DashboardCell = z.infer<typeof DashboardCell>;

export const DashboardFailure = z.object({
  taskId: z.string(),
  name: z.string().optional(),
  kind: z.string(),
  state: TaskState,
  workerId: z.string().optional(),
  at: z.number(),
  error: z.string().max(1000),
});
export type DashboardFailure = z.infer<typeof DashboardFailure>;

export const DashboardMember = z.object({
  id: z.string(),
  url: z.string().nullable(),
  role: z.string(),
  /** Log entries it is behind the leader's last (the leader's view; absent on a follower). */
  lag: z.number().int().optional(),
});

export const DashboardView = z.object({
  at: z.number(),
  coordinator: z.object({
    role: z.string(),
    uptimeMs: z.number(),
    term: z.number().int().optional(),
    leader: z.string().nullable().optional(),
    members: z.array(DashboardMember).optional(),
  }),
  tasks: z.object({ byState: z.record(TaskState, z.number().int()), queued: z.number().int() }),
  workers: z.object({
    byStatus: z.record(WorkerStatus, z.number().int()),
    /** Workers the filter selects, of which `page` is the slice at `offset`. */
    matching: z.number().int(),
    offset: z.number().int(),
    page: z.array(DashboardWorker),
  }),
  /** Tasks ended per minute over the last hour, the oldest minute first. */
  throughput: z.object({
    since: z.number(),
    succeeded: z.array(z.number().int()),
    failed: z.array(z.number().int()),
  }),
  /** Queued tasks sampled every `QUEUE_SAMPLE_MS`, the oldest first. */
  queueDepth: z.object({ at: z.array(z.number()), depth: z.array(z.number().int()) }),
  /** Runs still going, then the latest ended, the newest first. */
  runs: z.array(DashboardRun),
  /** The cross-browser matrix of the latest ended run that had model cells. */
  matrix: z
    .object({ runId: z.string(), suite: z.string(), cells: z.array(DashboardCell) })
    .optional(),
  /** The latest tasks that failed or timed out, the newest first. */
  failures: z.array(DashboardFailure),
});
export type DashboardView = z.infer<typeof DashboardView>;

export const DashboardMessage = z.object({
  v,
  type: z.literal('dashboard'),
  /** The `watch-dashboard` request this answers. */
  id: z.string(),
  view: DashboardView,
});
export type DashboardMessage = z.infer<typeof DashboardMessage>;
