import { z } from 'zod';
import { KNOWN_BROWSERS } from './capabilities.js';
import { TaskSpec } from './task.js';
import { ExecutionProvider } from './task-kinds.js';

/** Where a model runs in a matrix: `node` (onnxruntime-node) or a browser by the name it reports. */
export const MatrixTarget = z
  .object({
    worker: z.enum(['node', ...KNOWN_BROWSERS]),
    executionProviders: z.array(ExecutionProvider).min(1),
  })
  .strict();
export type MatrixTarget = z.infer<typeof MatrixTarget>;

export const Tolerance = z
  .object({ absolute: z.number().nonnegative(), relative: z.number().nonnegative() })
  .strict();
export type Tolerance = z.infer<typeof Tolerance>;

/** The most stages, and micro-batches, a suite's sharded run may ask for. */
export const MAX_SUITE_STAGES = 64;
export const MAX_SUITE_MICRO_BATCHES = 1_000;

/**
 * Sharded cells: each model named (default: every model of the matrix) cut into `stages` and
 * run over every live worker that offers a provider, once per provider (default: those the
 * matrix's browser targets list, and `cpu` with a `node` target), `microBatches` micro-batches
 * pipelined.
 */
export const MatrixSharding = z
  .object({
    stages: z.number().int().min(1).max(MAX_SUITE_STAGES),
    /** `pipeline`, `component` (independent branches apart), or `auto`: component where it can. */
    strategy: z.enum(['pipeline', 'component', 'auto']).default('auto'),
    /** What the run does when a stage's worker is lost. */
    recovery: z.enum(['immediate', 'progressive', 'coordinated']).default('immediate'),
    microBatches: z.number().int().min(1).max(MAX_SUITE_MICRO_BATCHES).default(8),
    /** The most memory one stage may need on one worker (weights + activations), in MB. */
    budgetMb: z.number().positive().max(1_048_576).optional(),
    /** Entries of the matrix's `models`, as written there. */
    models: z.array(z.string().min(1)).min(1).optional(),
    /** The providers to run sharded, in this order, in place of those the targets list. */
    executionProviders: z.array(ExecutionProvider).min(1).optional(),
  })
  .strict();
export type MatrixSharding = z.infer<typeof MatrixSharding>;

/**
 * Models × targets × execution providers: one `model` task per cell, each compared with the
 * onnxruntime-node reference; with `sharding`, sharded cells besides.
 */
export const ModelMatrix = z
  .object({
    /** Sample model names (`mlp`, `cnn`, `transformer-block`) or paths to `.onnx` files. */
    models: z.array(z.string().min(1)).min(1),
    targets: z.array(MatrixTarget).min(1),
    runs: z.number().int().min(1).max(1000).default(10),
    /** Seed of the sample models' weights and of every generated input. */
    seed: z.number().int().default(1),
    /** Per-provider overrides of the default comparison tolerances. */
    tolerance: z.partialRecord(ExecutionProvider, Tolerance).default({}),
    sharding: MatrixSharding.optional(),
  })
  .strict()
  .superRefine((matrix, ctx) => {
    for (const [index, model] of (matrix.sharding?.models ?? []).entries()) {
      if (matrix.models.includes(model)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['sharding', 'models', index],
        message: `'${model.slice(0, 40)}' is not one of the matrix's models (${matrix.models.map((m) => `'${m.slice(0, 40)}'`).join(', ')})`,
      });
    }
  });
export type ModelMatrix = z.infer<typeof ModelMatrix>;

/** Headless browsers by name and how many of each: `{ "chromium": 1 }`. */
export const SuitePool = z.record(z.string(), z.number().int().min(0).max(16));

/**
 * A suite file: named tasks and/or a model matrix, run together as one group by `dtf run`.
 * Relative paths (command `cwd`, vitest `dir`, model files) are taken from the suite file's
 * directory.
 */
export const Suite = z
  .object({
    name: z.string().min(1).max(256),
    description: z.string().optional(),
    /**
     * Headless browsers `dtf run` starts when it runs its own coordinator, e.g. `{ "chromium": 1 }`.
     * Absent: one of each browser the matrix targets and the tasks require.
     */
    pool: SuitePool.optional(),
    matrix: ModelMatrix.optional(),
    tasks: z.array(TaskSpec).default([]),
    /**
     * How `dtf run` reports the run (`--reporter` overrides): `list`, `json`, `junit`,
     * `markdown`, or the path of a reporter module, from the suite file's directory.
     */
    reporters: z.array(z.string().min(1).max(1024)).min(1).max(16).optional(),
  })
  .strict()
  .refine((suite) => suite.tasks.length > 0 || suite.matrix !== undefined, {
    message: 'a suite needs tasks or a matrix',
  });
export type Suite = z.infer<typeof Suite>;
