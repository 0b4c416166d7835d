import { z } from 'zod';
import { outputTailFields } from './command.js';
import { testReportFields } from './test-report.js';

export const VitestPayload = z
  .object({
    /** Directory of the project under test; its own vitest is used. */
    dir: z.string().min(1),
    /**
     * Test files or directories, relative to `dir` (or absolute); each must exist. Empty: every
     * test file of the project.
     */
    files: z.array(z.string().min(1)).default([]),
    testNamePattern: z.string().optional(),
    /** More arguments for `vitest run`, before the files: `--project unit`, `--typecheck`, … */
    args: z.array(z.string().max(4_096)).max(256).default([]),
    /** Environment variables for vitest, over the worker's own. */
    env: z.record(z.string(), z.string()).default({}),
    /**
     * Run in a vitest the worker keeps between tasks of this project, arguments and environment
     * (its start-up paid once), where the project's vitest allows; false starts one for this task.
     */
    warm: z.boolean().default(true),
  })
  .strict();
export type VitestPayload = z.infer<typeof VitestPayload>;

/** Whether vitest arguments set how many workers it runs (else a task's slots do). */
export function setsVitestParallelism(args: readonly string[]): boolean {
  return args.some((arg) =>
    /^--(maxWorkers|max-workers|fileParallelism|no-file-parallelism|pool)\b/.test(arg),
  );
}

/** How long vitest took over one test file, from its start to its end (collecting it included). */
export const FileDuration = z.object({ file: z.string(), durationMs: z.number().nonnegative() });
export type FileDuration = z.infer<typeof FileDuration>;

export const VitestOutput = z.object({
  kind: z.literal('vitest'),
  ...testReportFields,
  /** Per test file, what splitting the next run by duration goes by; absent from older results. */
  files: z.array(FileDuration).optional(),
  /** It ran in a vitest an earlier task had started (see the payload's `warm`). */
  warm: z.boolean().optional(),
  // vitest's own output (what it says when it runs no test); results recorded before lack it.
  ...z.object(outputTailFields).partial().shape,
});
export type VitestOutput = z.infer<typeof VitestOutput>;
