import type { Assignment, PageTestOutput, TestCaseResult } from '../../../protocol/index.js';
import { errorText, type TaskRunner } from '../../../worker-core/index.js';
import { elapsed } from '../elapsed.js';
import { importPageModule } from '../module-load-failure.js';

type PageTestAssignment = Extract<Assignment, { kind: 'page-test' }>;

/** Imports a test module in this page and runs every function of its `tests` export. */
export const pageTestRunner: TaskRunner<PageTestAssignment> = {
  async run({ payload }, signal) {
    const started = performance.now();
    const file = new URL(payload.module, location.origin).href;
    const imported = await importPageModule(file, signal);
    if ('failure' in imported) {
      return { status: 'failed', durationMs: elapsed(started), error: imported.failure };
    }
    const { tests } = imported.module;
    if (typeof tests !== 'object' || tests === null) {
      const error = `${file} exports no \`tests\` object (test name -> function)`;
      return { status: 'failed', durationMs: elapsed(started), error };
    }
    const results: TestCaseResult[] = [];
    for (const [name, test] of Object.entries(tests)) {
      if (signal.aborted) break;
      results.push(await runTest(name, file, test));
    }
    const failed = results.filter((test) => test.status === 'failed').length;
    const output: PageTestOutput = {
      kind: 'page-test',
      tests: results,
      passed: results.length - failed,
      failed,
      skipped: 0,
    };
    const durationMs = elapsed(started);
    if (failed === 0) return { status: 'succeeded', durationMs, output };
    return {
      status: 'failed',
      durationMs,
      error: `${failed} of ${results.length} tests failed`,
      output,
    };
  },
};

async function runTest(name: string, file: string, test: unknown): Promise<TestCaseResult> {
  const started = performance.now();
  if (typeof test !== 'function') {
    const error = `tests.${name} is a ${typeof test}, not a function`;
    return { name, file, status: 'failed', durationMs: 0, error };
  }
  try {
    await test();
    return { name, file, status: 'passed', durationMs: elapsed(started) };
  } catch (error) {
    const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
    return {
      name,
      file,
      status: 'failed',
      durationMs: elapsed(started),
      error: `${errorText(error)}${stack}`,
    };
  }
}
