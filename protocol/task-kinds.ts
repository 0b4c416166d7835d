import { z } from 'zod';

export const TASK_KINDS = ['command', 'vitest'] as const;
export const TaskKind = z.enum(TASK_KINDS);
export type TaskKind = z.infer<typeof TaskKind>;

export const CommandPayload = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    /** Run `command` as a `/bin/sh -c` script (pipes, globs); `args` become its `$1`, `$2`, …. */
    shell: z.boolean().default(false),
  })
  .strict();
export type CommandPayload = z.infer<typeof CommandPayload>;

export const VitestPayload = z
  .object({
    /** Directory of the project under test; its own vitest is used. */
    dir: z.string().min(1),
    files: z.array(z.string().min(1)).default([]),
    testNamePattern: z.string().optional(),
  })
  .strict();
export type VitestPayload = z.infer<typeof VitestPayload>;

export const CommandOutput = z.object({
  kind: z.literal('command'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
});
export type CommandOutput = z.infer<typeof CommandOutput>;

export const TestStatus = z.enum(['passed', 'failed', 'skipped', 'todo']);
export type TestStatus = z.infer<typeof TestStatus>;

export const TestCaseResult = z.object({
  name: z.string(),
  file: z.string(),
  status: TestStatus,
  durationMs: z.number().nonnegative(),
  error: z.string().optional(),
});
export type TestCaseResult = z.infer<typeof TestCaseResult>;

export const VitestOutput = z.object({
  kind: z.literal('vitest'),
  tests: z.array(TestCaseResult),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
});
export type VitestOutput = z.infer<typeof VitestOutput>;

export const TaskOutput = z.discriminatedUnion('kind', [CommandOutput, VitestOutput]);
export type TaskOutput = z.infer<typeof TaskOutput>;
