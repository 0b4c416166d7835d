import { z } from 'zod';

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

/** Per-test results, shared by every kind that runs a test file. */
export const testReportFields = {
  tests: z.array(TestCaseResult),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
};
