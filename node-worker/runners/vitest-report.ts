import { relative } from 'node:path';
import { z } from 'zod';
import type { TestCaseResult, TestStatus, VitestOutput } from '../../protocol/index.js';

/** The parts of vitest's `--reporter=json` file that the worker reads. */
const JsonReport = z.object({
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().default(''),
      startTime: z.number().optional(),
      endTime: z.number().optional(),
      assertionResults: z.array(
        z.object({
          fullName: z.string(),
          title: z.string(),
          status: z.string(),
          duration: z.number().nullish(),
          failureMessages: z.array(z.string()).nullish(),
        }),
      ),
    }),
  ),
});

/** Keeps one failing test's stack trace from crowding out the rest of the result. */
const MAX_TEST_ERROR_CHARS = 4_000;

function boundedError(message: string): string {
  return message.length <= MAX_TEST_ERROR_CHARS
    ? message
    : `${message.slice(0, MAX_TEST_ERROR_CHARS)}… (${message.length - MAX_TEST_ERROR_CHARS} more characters)`;
}

function testStatus(vitestStatus: string): TestStatus {
  switch (vitestStatus) {
    case 'passed':
    case 'failed':
    case 'todo':
      return vitestStatus;
    default: // 'skipped', 'pending', 'disabled'
      return 'skipped';
  }
}

/**
 * Per-test results from the text of a vitest JSON report; throws if it is not one. With
 * `selected` (a task's `testNamePattern`), the tests it does not select are left out: vitest
 * lists them as skipped, but they were the task's to filter, not skipped by their authors.
 */
export function parseVitestReport(
  text: string,
  projectDir: string,
  selected?: RegExp,
): VitestOutput {
  const report = JsonReport.parse(JSON.parse(text));
  const tests: TestCaseResult[] = [];
  for (const fileResult of report.testResults) {
    const file = relative(projectDir, fileResult.name);
    // A file that failed outside any test (did not load, a hook threw) has a message of its own.
    if (fileResult.status === 'failed' && fileResult.message !== '') {
      const { startTime = 0, endTime = startTime } = fileResult;
      const durationMs = Math.max(0, endTime - startTime);
      tests.push({
        name: file,
        file,
        status: 'failed',
        durationMs,
        error: boundedError(fileResult.message),
      });
    }
    for (const assertion of fileResult.assertionResults) {
      const name = assertion.fullName || assertion.title;
      if (selected !== undefined && !selected.test(name)) continue;
      const test: TestCaseResult = {
        name,
        file,
        status: testStatus(assertion.status),
        durationMs: Math.max(0, assertion.duration ?? 0),
      };
      const failure = assertion.failureMessages?.join('\n') ?? '';
      if (failure !== '') test.error = boundedError(failure);
      tests.push(test);
    }
  }
  const count = (status: TestStatus) => tests.filter((test) => test.status === status).length;
  return {
    kind: 'vitest',
    tests,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped') + count('todo'),
  };
}
