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
  })
  .strict();
export type VitestPayload = z.infer<typeof VitestPayload>;

export const VitestOutput = z.object({
  kind: z.literal('vitest'),
  ...testReportFields,
  // vitest's own output (what it says when it runs no test); results recorded before lack it.
  ...z.object(outputTailFields).partial().shape,
});
export type VitestOutput = z.infer<typeof VitestOutput>;
