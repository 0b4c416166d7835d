import { z } from 'zod';
import { Labels, WorkerKind } from './capabilities.js';
import {
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_TASK_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MULTIPLIER,
  MAX_DEPENDENCIES,
  MAX_TARGET_WORKERS,
  MAX_TASK_SLOTS,
} from './limits.js';
import {
  PAYLOADS,
  type PluginPayload,
  runnerFeature,
  stageDependencyIssues,
  type TaskKind,
  TaskOutput,
} from './task-kinds.js';

/** What a task needs from a worker; every field given must be satisfied. */
export const Requirements = z
  .object({
    workerKind: WorkerKind.optional(),
    /** Worker labels that must be present with exactly these values. */
    labels: Labels.optional(),
    minMemoryMb: z.number().int().positive().optional(),
    /** Capability features the worker must report, e.g. `gpu`, `webgpu`. */
    features: z.array(z.string().min(1)).optional(),
    /** A browser worker of this browser, by the name it reports: `chromium`, `firefox`, … */
    browser: z.string().min(1).optional(),
    /** Only these workers, by id: the task runs on one of them (and waits while none can). */
    workers: z.array(z.string().min(1).max(128)).min(1).max(MAX_TARGET_WORKERS).optional(),
    /**
     * The slots the task takes on its worker (default 1): a run that keeps several cores busy
     * (a vitest of several workers) takes as many, so the worker takes nothing more meanwhile.
     */
    slots: z.number().int().min(1).max(MAX_TASK_SLOTS).optional(),
  })
  .strict();
export type Requirements = z.infer<typeof Requirements>;

/**
 * How a task is retried. Infrastructure failures (worker lost, browser crashed, timed out,
 * could not start) are retried up to `maxRetries` times, after `delayMs` × `backoffFactor`^n,
 * each with a timeout `timeoutMultiplier` times the one before. A test that ran and failed is
 * final unless `retryFailures` says it may be flaky.
 */
export const RetryPolicy = z
  .object({
    maxRetries: z.number().int().min(0).max(20).default(DEFAULT_MAX_RETRIES),
    delayMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_RETRY_DELAY_MS),
    backoffFactor: z.number().min(1).max(10).default(DEFAULT_BACKOFF_FACTOR),
    timeoutMultiplier: z.number().min(1).max(10).default(DEFAULT_TIMEOUT_MULTIPLIER),
    retryFailures: z.boolean().default(false),
  })
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicy>;

const taskSpecBase = {
  name: z.string().max(512).optional(),
  /** Higher runs first; equal priorities run in submission order. */
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  requirements: Requirements.default({}),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3_600_000)
    .default(DEFAULT_TASK_TIMEOUT_MS),
  retry: RetryPolicy.default(RetryPolicy.parse({})),
  /**
   * Tasks that must succeed before this one runs: ids of tasks already submitted, or the
   * `ref` of another task in the same submit. A failed parent skips this task.
   */
  dependsOn: z.array(z.string().min(1).max(256)).max(MAX_DEPENDENCIES).optional(),
  /** A name for this task within its submit, for other tasks' `dependsOn`. */
  ref: z.string().min(1).max(256).optional(),
  /** When it should be done, epoch ms: earliest deadline first among equal priorities. */
  deadline: z.number().int().positive().optional(),
  labels: Labels.default({}),
  /** A suite or run id; tasks can be listed, awaited and cancelled by group. */
  group: z.string().min(1).max(256).optional(),
  /**
   * A repeat with the same key and the same spec returns the first task instead of a new one;
   * one with another spec is refused (`conflict`).
   */
  idempotencyKey: z.string().min(1).max(256).optional(),
};

function taskSpecOf<K extends TaskKind>(kind: K) {
  return z.object({ kind: z.literal(kind), payload: PAYLOADS[kind], ...taskSpecBase }).strict();
}

/**
 * Where a plugin task can run, as requirements the scheduler matches: with a module, a browser
 * worker's page; without, unless it asks for a browser, a Node worker that loaded the runner. Adds only what is missing, so a
 * stored spec parses to itself.
 */
function withRunnerRequirements<S extends { payload: PluginPayload; requirements: Requirements }>(
  spec: S,
): S {
  const { requirements, payload } = spec;
  if (payload.module !== undefined) {
    return { ...spec, requirements: { ...requirements, workerKind: 'browser' } };
  }
  // Its module is still to come (`dtf run` bundles a plugin's page runner), or it is missing,
  // which the page answers as unsupported.
  if (requirements.browser !== undefined || requirements.workerKind === 'browser') return spec;
  const feature = runnerFeature(payload.runner);
  const features = requirements.features ?? [];
  return {
    ...spec,
    requirements: {
      ...requirements,
      workerKind: 'node',
      features: features.includes(feature) ? features : [...features, feature],
    },
  };
}

/** A task definition as submitted by a client. */
export const TaskSpec = z.discriminatedUnion('kind', [
  taskSpecOf('command'),
  taskSpecOf('vitest'),
  taskSpecOf('model'),
  taskSpecOf('webgpu'),
  taskSpecOf('page-test'),
  taskSpecOf('shard-stage').superRefine((spec, ctx) => {
    for (const issue of stageDependencyIssues(spec)) ctx.addIssue({ code: 'custom', ...issue });
  }),
  taskSpecOf('plugin')
    .superRefine((spec, ctx) => {
      if (spec.payload.module !== undefined && spec.requirements.workerKind === 'node') {
        const message = 'a plugin task with a module runs in a browser, not on a Node worker';
        ctx.addIssue({ code: 'custom', message, path: ['requirements', 'workerKind'] });
      }
    })
    .transform(withRunnerRequirements),
]);
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

export const TaskState = z.enum([
  'queued',
  'assigned',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  /** The worker lacks what the task needs (e.g. a WebGPU adapter); its reason is in the result. */
  'unsupported',
  'cancelled',
  /** A task it depends on did not succeed, so it never ran. */
  'skipped',
]);
export type TaskState = z.infer<typeof TaskState>;

/** A count of 0 for each of `keys`: the start of a tally. */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** A count per task state, all zero: the start of every tally by state. */
export function zeroStateCounts(): Record<TaskState, number> {
  return zeroCounts(TaskState.options);
}

/** The states a task is still in while it may yet run. */
const LIVE_STATES: ReadonlySet<TaskState> = new Set(['queued', 'assigned', 'running']);

/** The states a task ends in: every other one. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(
  TaskState.options.filter((state) => !LIVE_STATES.has(state)),
);

/** What a worker reports when a task attempt ends. */
export const TaskResult = z.object({
  status: z.enum(['succeeded', 'failed', 'timed_out', 'unsupported']),
  durationMs: z.number().nonnegative(),
  error: z.string().optional(),
  /**
   * For a failure: `infrastructure` when the task could not run properly (its program could
   * not be started, the browser crashed), which is retried; otherwise the test itself failed.
   */
  failureKind: z.enum(['infrastructure', 'test']).optional(),
  output: TaskOutput.optional(),
  /** What else the worker saw: a page's console errors, a crash reason. */
  logs: z.array(z.string()).max(100).optional(),
});
export type TaskResult = z.infer<typeof TaskResult>;

/** One ended attempt that did not produce the task's final result. */
export const AttemptRecord = z.object({
  attempt: z.number().int().positive(),
  workerId: z.string().nullable(),
  reason: z.string(),
  at: z.number(),
  /** False when the attempt was handed back (preempted, drained): not charged to the retries. */
  charged: z.boolean().optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecord>;

/** A task as the coordinator reports it. */
export const TaskView = z.object({
  id: z.string(),
  seq: z.number().int(),
  kind: z.string(),
  name: z.string().optional(),
  group: z.string().optional(),
  priority: z.number().int(),
  state: TaskState,
  attempt: z.number().int().nonnegative(),
  /** The lease of the current (or last) attempt; leases are issued in increasing order. */
  leaseToken: z.number().int().nonnegative(),
  workerId: z.string().optional(),
  submittedAt: z.number(),
  assignedAt: z.number().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** Why a queued task is not being placed, e.g. `no worker with label gpu=a100`. */
  unschedulable: z.string().optional(),
  /** Attempts charged to the retry policy so far. */
  failures: z.number().int().nonnegative(),
  /** A queued retry waits until then (its backoff), epoch ms. */
  notBefore: z.number().optional(),
  /** Parents (`dependsOn`) this queued task still waits for. */
  waitingOn: z.number().int().positive().optional(),
  /** The task had a deadline and ended after it, or is still unfinished past it. */
  deadlineMissed: z.literal(true).optional(),
  result: TaskResult.optional(),
  history: z.array(AttemptRecord),
  spec: TaskSpec,
});
export type TaskView = z.infer<typeof TaskView>;

/** A change of a task's state, pushed to subscribers. */
export const TaskEvent = z.object({
  taskId: z.string(),
  group: z.string().optional(),
  state: TaskState,
  attempt: z.number().int().nonnegative(),
  workerId: z.string().optional(),
  at: z.number(),
  reason: z.string().optional(),
  result: TaskResult.optional(),
});
export type TaskEvent = z.infer<typeof TaskEvent>;
