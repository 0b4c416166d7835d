import { describe, expect, it } from 'vitest';
import type { MatrixCell } from '../../../../cli/report/matrix-cells.js';
import { resultsOfReport } from '../../../../cli/report/run-results.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import { MAX_RESULT_ERROR_CHARS, ResultInput, type TaskView } from '../../../../protocol/index.js';
import { taskView } from '../../../support/fixtures.js';

const view = (overrides: Partial<TaskView>) =>
  taskView({ workerId: undefined, result: undefined, ...overrides });

describe('a suite report as results for the store', () => {
  const tasks = [
    view({
      id: 'v',
      name: 'unit tests',
      kind: 'vitest',
      state: 'failed',
      workerId: 'w-node',
      result: {
        status: 'failed',
        durationMs: 20,
        output: {
          kind: 'vitest',
          passed: 1,
          failed: 1,
          skipped: 0,
          tests: [
            { name: 'adds', file: 'math.test.js', status: 'passed', durationMs: 2 },
            {
              name: 'divides',
              file: 'math.test.js',
              status: 'failed',
              durationMs: 3,
              error: 'x'.repeat(MAX_RESULT_ERROR_CHARS * 2),
            },
          ],
        },
      },
    }),
    view({ id: 'm', name: 'mlp · chromium · webgpu', kind: 'model', workerId: 'w-chrome' }),
    view({
      id: 'c',
      name: 'lint',
      kind: 'command',
      result: { status: 'succeeded', durationMs: 9 },
    }),
  ];
  const cell: MatrixCell = {
    taskId: 'm',
    model: 'mlp',
    worker: 'chromium',
    provider: 'webgpu',
    verdict: 'fail',
    reason: 'max abs error 2e-2 > 1e-3',
    medianMs: 4,
    p90Ms: 5,
    meanMs: 4,
    maxAbsError: 0.02,
    tolerance: { absolute: 1e-3, relative: 1e-3 },
  };
  const report = buildSuiteReport('s', 'g', new Date(0), 100, tasks, new Map([['m', cell]]));
  const platforms = new Map([
    ['w-node', { browser: 'node', version: '20.1.0' }],
    ['w-chrome', { browser: 'chromium', version: '131.0' }],
  ]);
  const results = resultsOfReport(report, platforms);

  it('names each test the same in every run, apart from where it ran', () => {
    expect(results.map((r) => [r.test, r.browser, r.backend, r.status])).toEqual([
      ['math.test.js > adds', 'node', undefined, 'passed'],
      ['math.test.js > divides', 'node', undefined, 'failed'],
      ['model mlp', 'chromium', 'webgpu', 'failed'],
      ['lint', undefined, undefined, 'passed'],
    ]);
    expect(results[0]).toMatchObject({
      file: 'math.test.js',
      kind: 'vitest',
      browserVersion: '20.1.0',
    });
  });

  it("keeps a model cell's figures and tolerance, and cuts an error too long to store", () => {
    expect(results[2]).toMatchObject({
      browserVersion: '131.0',
      error: 'max abs error 2e-2 > 1e-3',
      metrics: { medianMs: 4, p90Ms: 5, throughput: 250, maxAbsError: 0.02, toleranceAbs: 1e-3 },
    });
    expect(results[1]!.error).toHaveLength(MAX_RESULT_ERROR_CHARS);
    expect(results[1]!.error).toMatch(/more characters cut\)$/);
    for (const result of results) expect(ResultInput.safeParse(result).success).toBe(true);
  });
});

describe('quarantine in a report', () => {
  it('marks the failures of quarantined tests, where they ran, and judges the run without them', async () => {
    const { caseResults, quarantineFailures } = await import(
      '../../../../cli/report/run-results.js'
    );
    const failing = (id: string, name: string) =>
      taskView({
        id,
        name,
        kind: 'command',
        state: 'failed',
        workerId: 'w-node',
        result: { status: 'failed', durationMs: 1, error: 'boom' },
      });
    const report = buildSuiteReport('q', 'g', new Date(0), 1, [
      failing('a', 'coin'),
      failing('b', 'other'),
    ]);
    const platforms = new Map([['w-node', { browser: 'node', version: '20' }]]);
    const pairs = caseResults(report, platforms);
    // Quarantined in firefox only: no help on node.
    expect(
      quarantineFailures(report, pairs, [{ test: 'coin', browser: 'firefox', since: 0 }]),
    ).toBe(0);
    expect(report.passed).toBe(false);
    expect(quarantineFailures(report, pairs, [{ test: 'coin', since: 0 }])).toBe(1);
    expect(report.passed).toBe(false);
    expect(pairs[0]).toMatchObject({ result: { quarantined: true }, case: { quarantined: true } });
    expect(
      quarantineFailures(report, pairs, [
        { test: 'coin', since: 0 },
        { test: 'other', browser: 'node', since: 0 },
      ]),
    ).toBe(2);
    expect(report).toMatchObject({ passed: true, quarantinedFailures: 2 });
  });
});
