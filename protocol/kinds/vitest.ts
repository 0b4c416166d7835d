import { z } from 'zod';
import { testReportFields } from './test-report.js';

export const VitestPayload = z
  .object({
    /** Directory of the project under test; its own vitest is used. */
    dir: z.string().min(1),
    files: z.array(z.string().min(1)).default([]),
    testNamePattern: z.string().optional(),
  })
  .strict();
export type VitestPayload = z.infer<typeof VitestPayload>;

export const VitestOutput = z.object({ kind: z.literal('vitest'), ...testReportFields });
export type VitestOutput = z.infer<typeof VitestOutput>;
