import { describe, expect, it } from 'vitest';
import { toJUnitXml } from '../../../../cli/report/junit.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import type { TaskView } from '../../../../protocol/index.js';
import { taskView } from '../../../support/fixtures.js';

/** A task of the report: no worker or result unless given. */
const view = (overrides: Partial<TaskView>) =>
  taskView({ workerId: undefined, result: undefined, ...overrides });

describe('suite reports', () => {
  const tasks = [
    view({ id: 'a', name: 'ok', result: { status: 'succeeded', durationMs: 1500 } }),
    view({
      id: 'b',
      name: 'tests <&>',
      kind: 'vitest',
      state: 'failed',
      result: {
        status: 'failed',
        durationMs: 20,
        error: '1 of 2 tests failed',
        output: {
          kind: 'vitest',
          passed: 1,
          failed: 1,
          skipped: 0,
          tests: [
            { name: 'adds', file: 'a.test.js', status: 'passed', durationMs: 2 },
            {
              name: 'divides "safely"',
              file: 'a.test.js',
              status: 'failed',
              durationMs: 3,
              error: 'expected 1\nto be 2',
            },
          ],
        },
      },
    }),
    view({
      id: 'c',
      name: 'lost',
      state: 'failed',
      result: { status: 'failed', durationMs: 0, error: 'gave up after 4 attempts' },
    }),
  ];
  const report = buildSuiteReport('demo', 'g', new Date(0), 2000, tasks);

  it('counts tasks and checks, and fails the suite on any failed task', () => {
    expect(report.passed).toBe(false);
    expect(report.counts).toEqual({
      tasks: 3,
      succeeded: 1,
      failed: 2,
      cases: 4,
      casesFailed: 2,
      casesSkipped: 0,
    });
  });

  it('writes escaped JUnit XML with failures for failed tests and errors for tasks without output', () => {
    const xml = toJUnitXml(report);
    expect(xml).toContain('<testsuites name="demo" tests="4" failures="1" errors="1" time="2.000"');
    expect(xml).toContain(
      '<testsuite name="tests &lt;&amp;&gt;" tests="2" failures="1" errors="0"',
    );
    expect(xml).toContain('name="a.test.js &gt; divides &quot;safely&quot;"');
    expect(xml).toContain('<failure message="expected 1">expected 1\nto be 2</failure>');
    expect(xml).toContain('<error message="gave up after 4 attempts">');
  });

  it('fails the suite on a task that failed beyond its tests, as a case of its own', () => {
    const beyond = buildSuiteReport('demo', 'g', new Date(0), 10, [
      view({
        id: 'd',
        name: 'unit',
        kind: 'vitest',
        state: 'failed',
        result: {
          status: 'failed',
          durationMs: 5,
          error: 'vitest exited with code 1 (no test failed): Vitest caught 1 unhandled error',
          output: {
            kind: 'vitest',
            passed: 1,
            failed: 0,
            skipped: 0,
            tests: [{ name: 'adds', file: 'a.test.js', status: 'passed', durationMs: 2 }],
          },
        },
      }),
    ]);
    expect(beyond.passed).toBe(false);
    expect(beyond.counts).toMatchObject({ failed: 1, cases: 2, casesFailed: 1 });
    expect(beyond.tasks[0]!.cases.at(-1)).toEqual({
      name: 'unit',
      status: 'failed',
      durationMs: 5,
      message: 'vitest exited with code 1 (no test failed): Vitest caught 1 unhandled error',
    });
  });
});
