import { z } from 'zod';
import { TestStatus } from './kinds/test-report.js';
import { queryWholeNumber } from './rest.js';

/**
 * The results store: runs of suites and the test-level results each reported, kept across runs
 * (and replicated in a cluster) so that runs can be compared and trends drawn.
 */

/** Most `key=value` entries a run's metadata holds. */
export const MAX_RUN_META_ENTRIES = 32;
/** Most results one request (and one state command) may record. */
export const MAX_RESULTS_PER_REQUEST = 1_000;
/** Most results one run may hold. */
export const MAX_RESULTS_PER_RUN = 100_000;
/** Longest error text kept with a result; longer ones are cut, saying so. */
export const MAX_RESULT_ERROR_CHARS = 8_192;
/** An error text as a result may hold it: a longer one is cut, saying so. */
export function resultErrorText(text: string): string {
  if (text.length <= MAX_RESULT_ERROR_CHARS) return text;
  const note = `… (${text.length - MAX_RESULT_ERROR_CHARS + 40} more characters cut)`;
  return text.slice(0, MAX_RESULT_ERROR_CHARS - note.length) + note;
}

/** Default and most runs, and results, one query answers. */
export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 1_000;
export const DEFAULT_RESULTS_LIMIT = 200;
export const MAX_RESULTS_LIMIT = 10_000;

/** The metadata keys DTF fills in from the CI system or git when they are not given. */
export const RUN_META_KEYS = ['commit', 'branch', 'build'] as const;

const META_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** `key=value` pairs describing a run: the git commit, branch, CI build and the user's own. */
export const RunMeta = z.record(z.string(), z.string().max(256)).superRefine((meta, ctx) => {
  const keys = Object.keys(meta);
  if (keys.length > MAX_RUN_META_ENTRIES) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_RUN_META_ENTRIES} entries` });
  }
  for (const key of keys.filter((k) => !META_KEY.test(k))) {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `'${key.slice(0, 64)}' is not a key: a key is a letter, then up to 63 letters, digits, _ . or -`,
    });
  }
});
export type RunMeta = z.infer<typeof RunMeta>;

export const RunId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'a run id is up to 128 letters, digits, _ . : or -',
  );

/** How a run ended; `running` until it did. */
export const RunStatus = z.enum(['running', 'passed', 'failed', 'timed_out', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/** A test's outcome: a vitest test's status, or `error` when it could not be judged at all. */
export const ResultStatus = z.enum([...TestStatus.options, 'error']);
export type ResultStatus = z.infer<typeof ResultStatus>;

const figure = z.number().finite().nonnegative();

/** What a result measured, for trends: latency, throughput, error against the reference, memory. */
export const ResultMetrics = z
  .object({
    medianMs: figure.optional(),
    p90Ms: figure.optional(),
    meanMs: figure.optional(),
    firstRunMs: figure.optional(),
    /** Inferences (or items) per second. */
    throughput: figure.optional(),
    maxAbsError: figure.optional(),
    maxRelError: figure.optional(),
    /** The tolerance the errors were judged against. */
    toleranceAbs: figure.optional(),
    toleranceRel: figure.optional(),
    memoryMb: figure.optional(),
  })
  .strict();
export type ResultMetrics = z.infer<typeof ResultMetrics>;
export type MetricName = keyof ResultMetrics;

const label = z.string().min(1).max(128);

/**
 * One test-level result as a run reports it. `test` names the test the same way in every run
 * (a vitest test by file and name, a model cell by model), so that runs can be compared; where
 * it ran (`browser`, `backend`) is apart from it.
 */
export const ResultInput = z
  .object({
    test: z.string().min(1).max(512),
    file: z.string().max(1024).optional(),
    /** The task kind that ran it (`vitest`, `model`, `page-test`, `shard-stage`, …). */
    kind: label,
    taskId: z.string().max(256).optional(),
    workerId: z.string().max(256).optional(),
    /** `node`, or the browser's name as it reports it. */
    browser: label.optional(),
    browserVersion: z.string().max(128).optional(),
    /** Execution provider or backend: `cpu`, `wasm`, `webgpu`, `webnn`. */
    backend: label.optional(),
    status: ResultStatus,
    durationMs: figure,
    error: z.string().max(MAX_RESULT_ERROR_CHARS).optional(),
    metrics: ResultMetrics.optional(),
    /** It failed while the test was quarantined: the failure failed no run. */
    quarantined: z.literal(true).optional(),
  })
  .strict();
export type ResultInput = z.infer<typeof ResultInput>;

/** A stored result: what was reported, with the run it belongs to. */
export const StoredResult = ResultInput.extend({
  runId: z.string(),
  suite: z.string(),
  /** The run's start (ms since the epoch), the time the series of a test are drawn against. */
  at: z.number(),
  commit: z.string().optional(),
});
export type StoredResult = z.infer<typeof StoredResult>;

export const RunCounts = z.object({
  results: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
});
export type RunCounts = z.infer<typeof RunCounts>;

/** A run as the store keeps it, without its results. */
export const RunView = z.object({
  id: z.string(),
  suite: z.string(),
  meta: z.record(z.string(), z.string()),
  status: RunStatus,
  startedAt: z.number(),
  endedAt: z.number().optional(),
  counts: RunCounts,
});
export type RunView = z.infer<typeof RunView>;

/** `POST /api/runs`: opens a run; its tasks are submitted with the run id as their group. */
export const RunOpenRequest = z
  .object({ id: RunId, suite: z.string().min(1).max(256), meta: RunMeta.default({}) })
  .strict();
export type RunOpenRequest = z.infer<typeof RunOpenRequest>;

/** `POST /api/runs/:id/results`: appends results to an open run and, with `end`, ends it. */
export const RunResultsRequest = z
  .object({
    results: z.array(ResultInput).max(MAX_RESULTS_PER_REQUEST).default([]),
    end: z
      .object({ status: RunStatus.exclude(['running']) })
      .strict()
      .optional(),
  })
  .strict();
export type RunResultsRequest = z.infer<typeof RunResultsRequest>;

export const RestRunReply = z.object({ run: RunView });
export type RestRunReply = z.infer<typeof RestRunReply>;

export const RestRunDetailReply = z.object({
  run: RunView,
  results: z.array(StoredResult),
});
export type RestRunDetailReply = z.infer<typeof RestRunDetailReply>;

export const RestRunsReply = z.object({ runs: z.array(RunView) });
export type RestRunsReply = z.infer<typeof RestRunsReply>;

export const RestResultsReply = z.object({ results: z.array(StoredResult) });
export type RestResultsReply = z.infer<typeof RestResultsReply>;

/** `GET /api/runs/:id`: which of the run's results to answer with, in the order reported. */
export const RunResultsPage = z
  .object({
    offset: queryWholeNumber(0, MAX_RESULTS_PER_RUN).default(0),
    limit: queryWholeNumber(1, MAX_RESULTS_LIMIT).default(MAX_RESULTS_LIMIT),
  })
  .strict();
export type RunResultsPage = z.infer<typeof RunResultsPage>;

/** An instant in a query string: an ISO 8601 date or date-time. */
const queryInstant = z
  .string()
  .max(64)
  .refine((text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)), {
    message: 'must be an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z',
  })
  .transform((text) => Date.parse(text));

/** `GET /api/runs`: the newest runs first. */
export const RunsQuery = z
  .object({
    suite: z.string().min(1).max(256).optional(),
    since: queryInstant.optional(),
    limit: queryWholeNumber(1, MAX_RUNS_LIMIT).default(DEFAULT_RUNS_LIMIT),
  })
  .strict();
export type RunsQuery = z.infer<typeof RunsQuery>;

/** `GET /api/results`: stored results, the newest runs first; every filter given must hold. */
export const ResultsQuery = z
  .object({
    run: RunId.optional(),
    test: z.string().min(1).max(512).optional(),
    suite: z.string().min(1).max(256).optional(),
    browser: label.optional(),
    backend: label.optional(),
    status: ResultStatus.optional(),
    commit: z.string().min(1).max(256).optional(),
    since: queryInstant.optional(),
    limit: queryWholeNumber(1, MAX_RESULTS_LIMIT).default(DEFAULT_RESULTS_LIMIT),
  })
  .strict();
export type ResultsQuery = z.infer<typeof ResultsQuery>;

/**
 * A quarantined test: it still runs and is reported, but its failures do not fail a run. Where
 * it ran is part of it: a test flaky in one browser only is quarantined there only (`browser`
 * and `backend` absent: everywhere).
 */
export const QuarantineRequest = z
  .object({
    test: z.string().min(1).max(512),
    browser: label.optional(),
    backend: label.optional(),
    reason: z.string().max(1024).optional(),
  })
  .strict();
export type QuarantineRequest = z.infer<typeof QuarantineRequest>;

export const QuarantineEntry = QuarantineRequest.extend({ since: z.number() });
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

/** `POST /api/quarantine/release`: which quarantined test to release. */
export const ReleaseRequest = QuarantineRequest.omit({ reason: true });
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

export const RestQuarantineReply = z.object({ quarantined: z.array(QuarantineEntry) });
export type RestQuarantineReply = z.infer<typeof RestQuarantineReply>;

/** Whether a quarantine entry covers a result: the same test, and the same place where it names one. */
export function quarantineCovers(
  entry: Pick<QuarantineEntry, 'test' | 'browser' | 'backend'>,
  result: Pick<ResultInput, 'test' | 'browser' | 'backend'>,
): boolean {
  return (
    entry.test === result.test &&
    (entry.browser === undefined || entry.browser === result.browser) &&
    (entry.backend === undefined || entry.backend === result.backend)
  );
}

/** A quarantine entry's identity: its test and place. */
export function quarantineKey(
  entry: Pick<QuarantineEntry, 'test' | 'browser' | 'backend'>,
): string {
  return [entry.test, entry.browser ?? '*', entry.backend ?? '*'].join('\u0000');
}
