import { z } from 'zod';

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

/** The last `OUTPUT_TAIL_BYTES` of a process's stdout and stderr, and whether more came before. */
export const outputTailFields = {
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
};

export const CommandOutput = z.object({
  kind: z.literal('command'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  ...outputTailFields,
});
export type CommandOutput = z.infer<typeof CommandOutput>;
