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

/**
 * Models × targets × execution providers: one `model` task per cell, each compared with the
 * onnxruntime-node reference.
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
  })
  .strict();
export type ModelMatrix = z.infer<typeof ModelMatrix>;

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
    pool: z.record(z.string(), z.number().int().min(0).max(16)).optional(),
    matrix: ModelMatrix.optional(),
    tasks: z.array(TaskSpec).default([]),
  })
  .strict()
  .refine((suite) => suite.tasks.length > 0 || suite.matrix !== undefined, {
    message: 'a suite needs tasks or a matrix',
  });
export type Suite = z.infer<typeof Suite>;
