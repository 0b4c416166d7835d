import { z } from 'zod';
import { KNOWN_BROWSERS } from './capabilities.js';
import { DURATION_HINT, parseDurationMs } from './duration.js';
import { ModelMatrix, SuitePool } from './suite.js';
import { TaskSpec } from './task.js';

/**
 * `dtf.config.ts` (or `.js`, `.mjs`, `.json`): what `dtf run` runs when no suite file is given.
 * It resolves to a plain object checked against this schema, so a misspelt option is named, not
 * ignored. Relative paths are taken from the config file's directory.
 */

const Glob = z.string().min(1).max(1_024);
const Globs = z.array(Glob).max(64);

/** Vitest's own pattern for type tests (`*.test-d.ts`), which `--typecheck` checks with tsc. */
export const VITEST_TYPECHECK_GLOB = '**/*.{test,spec}-d.?(c|m)[jt]s?(x)';

/** `90s`, `10m`, … or a number of ms. */
const Duration = z.union([
  z
    .number()
    .int()
    .positive()
    .max(24 * 3_600_000),
  z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}` });
    return ms ?? 0;
  }),
]);

/** A project whose tests vitest runs: its files found by vitest itself, split over the workers. */
export const VitestProject = z
  .object({
    name: z.string().min(1).max(128),
    runner: z.literal('vitest'),
    /** The project's directory; the vitest installed there and its own config are used. */
    dir: z.string().min(1).max(4_096).default('.'),
    /** Only the test files (of those vitest's config finds) that match one of these, from `dir`. */
    include: Globs.min(1).optional(),
    exclude: Globs.default([]),
    /**
     * Files that run together in one task, because what each vitest process sets up for them
     * costs more than running them: type tests, whose tsc checks the whole project every time.
     */
    together: Globs.default([VITEST_TYPECHECK_GLOB]),
    /** More arguments for `vitest run`: `--typecheck`, `--project unit`, … */
    args: z.array(z.string().max(4_096)).max(256).default([]),
    env: z.record(z.string(), z.string()).default({}),
    /**
     * Each worker keeps a vitest of the project warm between its tasks (its start-up paid once);
     * false starts a fresh `vitest run` for every task.
     */
    warm: z.boolean().default(true),
  })
  .strict();
export type VitestProject = z.infer<typeof VitestProject>;

/**
 * A project of page tests: ES modules exporting `tests` (see the `page-test` task kind), found by
 * its globs, bundled for the browser by `dtf run` (their imports included) and served by the
 * coordinator, one task per file and browser.
 */
export const PageTestProject = z
  .object({
    name: z.string().min(1).max(128),
    runner: z.literal('page-test'),
    /** Where the globs start. */
    dir: z.string().min(1).max(4_096).default('.'),
    include: Globs.min(1),
    exclude: Globs.default([]),
    /** Every file runs in each of these browsers. */
    browsers: z.array(z.enum(KNOWN_BROWSERS)).min(1).max(8).default(['chromium']),
  })
  .strict();
export type PageTestProject = z.infer<typeof PageTestProject>;

export const ConfigProject = z.discriminatedUnion('runner', [VitestProject, PageTestProject]);
export type ConfigProject = z.infer<typeof ConfigProject>;

/** A split of the run across CI jobs: this job runs part `current` of `total`. */
export const ShardSpec = z
  .object({ current: z.number().int().min(1), total: z.number().int().min(1).max(1_000) })
  .strict()
  .refine((shard) => shard.current <= shard.total, {
    message: 'current must be between 1 and total',
    path: ['current'],
  });
export type ShardSpec = z.infer<typeof ShardSpec>;

/** A plugin as a config gives it; what it holds is checked when it is loaded. */
const PluginObject = z.custom<object>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a plugin object or the path of a plugin module',
);

export const DtfConfig = z
  .object({
    /** The suite's name in reports and the results store; default: package.json's name, else the directory's. */
    name: z.string().min(1).max(256).optional(),
    projects: z.array(ConfigProject).max(64).default([]),
    /** Tasks given as they are, as in a suite file. */
    tasks: z.array(TaskSpec).default([]),
    /** The model matrix; its `models` may be globs of `.onnx` files. */
    matrix: ModelMatrix.optional(),
    /** The Node workers `dtf run` starts with its own coordinator, and the task slots of each. */
    workers: z
      .object({
        count: z.number().int().min(1).max(16).default(1),
        slots: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .default({ count: 1 }),
    /** Headless browsers `dtf run` starts with its own coordinator, e.g. `{ chromium: 1 }`. */
    pool: SuitePool.optional(),
    /** Retries of a task lost to its worker, browser or timeout (a failed test is not retried). */
    retries: z.number().int().min(0).max(20).optional(),
    /** The longest one task may run. */
    taskTimeout: Duration.optional(),
    /** Give up on the run after this long: cancel what has not ended, report, exit 1. */
    timeout: Duration.optional(),
    reporters: z.array(z.string().min(1).max(1_024)).min(1).max(16).optional(),
    /** Where the reporters write. */
    out: z.string().min(1).max(4_096).optional(),
    shard: ShardSpec.optional(),
    /** Coordinators to run on (the token comes from `--token` or `DTF_TOKEN`); absent: its own. */
    coordinator: z.array(z.string().min(1).max(2_048)).min(1).max(16).optional(),
    /** With its own coordinator: keep its database, and so every run's results, here. */
    dataDir: z.string().min(1).max(4_096).optional(),
    /**
     * Plugins (see docs/plugins.md): objects, in a TypeScript or JavaScript config, or the paths
     * of modules whose default export is one (or a function returning one).
     */
    plugins: z
      .array(z.union([z.string().min(1).max(4_096), PluginObject]))
      .max(32)
      .default([]),
  })
  .strict()
  .refine(
    (config) =>
      config.projects.length > 0 || config.tasks.length > 0 || config.matrix !== undefined,
    { message: 'a config needs projects, tasks or a matrix' },
  );
export type DtfConfig = z.infer<typeof DtfConfig>;
