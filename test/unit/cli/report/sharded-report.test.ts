import { describe, expect, it } from 'vitest';
import { toJUnitXml } from '../../../../cli/report/junit.js';
import type { MatrixCell } from '../../../../cli/report/matrix-cells.js';
import { formatMatrixTable } from '../../../../cli/report/matrix-table.js';
import {
  judgeShardedRun,
  type ShardedCell,
  type ShardedCellKey,
  shardedCases,
  unranCell,
} from '../../../../cli/report/sharded-cells.js';
import { formatShardedFigures } from '../../../../cli/report/sharded-figures.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import { formatSuiteTable } from '../../../../cli/report/suite-table.js';
import { DEFAULT_TOLERANCES, type ReferenceOutputs } from '../../../../models/index.js';
import type { PartitionPlan } from '../../../../sharding/partition/index.js';
import type { StagePlacement } from '../../../../sharding/placement/place-stages.js';
import type { PipelineFigures } from '../../../../sharding/run/run-report.js';
import type { ShardedRunResult } from '../../../../sharding/run/sharded-run.js';

const key = (provider: ShardedCellKey['provider']): ShardedCellKey => ({
  model: 'transformer-stack',
  provider,
  stages: 3,
  strategy: 'pipeline',
  recovery: 'immediate',
  microBatches: 2,
  run: `g.sharded-${provider}`,
});

const reference = (value: number): ReferenceOutputs => ({
  encoded: { dims: [1, 2], type: 'float32', data: [value, value] },
});

/** A committed output of the last stage, holding `data`. */
const committed = (data: number[]) => ({
  encoded: {
    artifact: `sha256:${'0'.repeat(64)}` as const,
    type: 'float32' as const,
    dims: [1, 2],
    summary: {
      dims: [1, 2],
      type: 'float32',
      sha256: '0'.repeat(64),
      min: 0,
      max: 0,
      mean: 0,
      data,
    },
  },
});

const placement = (stage: number, workerId: string): StagePlacement => ({
  stage,
  workerId,
  workerName: workerId,
  backend: 'wasm',
  expectedMs: 10,
  speed: { msPerGflop: 100, source: 'worker', samples: 7 },
  why: `${workerId} on wasm ≈10.0 ms`,
});

const figures: PipelineFigures = {
  wallMs: 500,
  microBatchesPerSecond: 4,
  bytesUploaded: 3 * 1024 * 1024,
  bytesFetched: 2 * 1024 * 1024,
  bubbleFraction: 0.25,
  stages: [0, 1, 2].map((stage) => ({
    generation: 0,
    stage,
    workers: [['c1', 'c2', 'f1'][stage]!],
    backend: 'wasm',
    runs: 2,
    meanRunMs: 5 + stage,
    meanTaskMs: 40 + stage,
    sessionReused: 1,
  })),
  workers: [
    { worker: 'c1', busyFraction: 0.8, stalls: 1, stalledMs: 60 },
    { worker: 'c2', busyFraction: 0.7, stalls: 0, stalledMs: 0 },
    { worker: 'f1', busyFraction: 0.75, stalls: 0, stalledMs: 0 },
  ],
  lostAttempts: 0,
  withdrawnAttempts: 0,
};

function result(outputs: number[][], committedTwice = 0): ShardedRunResult {
  return {
    run: 'g.sharded-wasm',
    plan: { strategy: 'pipeline' } as PartitionPlan,
    placements: [placement(0, 'c1'), placement(1, 'c2'), placement(2, 'f1')],
    generations: 1,
    plans: [],
    commits: [],
    outputs: outputs.map(committed),
    figures,
    recoveries: [],
    committedTwice,
  };
}

const browserOf = (workerId: string) => (workerId.startsWith('c') ? 'chromium' : 'firefox');
const references = [reference(1), reference(2)];
const tolerance = DEFAULT_TOLERANCES.wasm;

/** A wasm run whose last stage committed `outputs`, one per micro-batch, judged. */
const judge = (outputs: number[][], committedTwice = 0) =>
  judgeShardedRun(key('wasm'), result(outputs, committedTwice), references, tolerance, browserOf);

describe('a sharded cell', () => {
  it('passes when every micro-batch matches its own reference, with the wall time per micro-batch', () => {
    const cell = judge([
      [1, 1],
      [2, 2.00005],
    ]);
    expect(cell).toMatchObject({
      verdict: 'pass',
      workers: { chromium: 2, firefox: 1 },
      msPerMicroBatch: 250,
      committedTwice: 0,
    });
    expect(cell.reason).toBeUndefined();
    expect(cell.maxAbsError).toBeCloseTo(0.00005, 8);
    expect(cell.microBatchChecks?.map((check) => check.pass)).toEqual([true, true]);
  });

  it('fails naming how many micro-batches are off and the first problem', () => {
    // Micro-batch 1 given micro-batch 0's outputs: right for another input, wrong for its own.
    const cell = judge([
      [1, 1],
      [1, 1],
    ]);
    expect(cell.verdict).toBe('fail');
    expect(cell.reason).toMatch(
      /^1 of 2 micro-batches outside the tolerance \(absolute 0\.0001, relative 0\.001\); micro-batch 1: output 'encoded': 2 of 2 values/,
    );
    expect(shardedCases(cell).map((c) => [c.name, c.status])).toEqual([
      ['micro-batch 0', 'passed'],
      ['micro-batch 1', 'failed'],
      ['each stage committed once per micro-batch', 'passed'],
    ]);
  });

  it('fails when committed work was done again, whatever the outputs', () => {
    const cell = judge(
      [
        [1, 1],
        [2, 2],
      ],
      2,
    );
    expect(cell).toMatchObject({
      verdict: 'fail',
      reason: 'committed work was done again 2 time(s)',
    });
    expect(shardedCases(cell).at(-1)).toMatchObject({ status: 'failed' });
  });

  it('that never ran is one case: skipped when unsupported, an error otherwise', () => {
    const unsupported = unranCell(
      key('webgpu'),
      'unsupported',
      'stage 0 fits no worker: f1: webgpu: no adapter',
    );
    expect(shardedCases(unsupported)).toEqual([
      { name: 'webgpu', status: 'skipped', durationMs: 0, message: unsupported.reason },
    ]);
    expect(shardedCases(unranCell(key('wasm'), 'error', 'boom'))[0]).toMatchObject({
      status: 'error',
    });
  });
});

describe('sharded cells in the reports', () => {
  const whole: MatrixCell = {
    taskId: 't1',
    model: 'transformer-stack',
    worker: 'chromium',
    provider: 'wasm',
    verdict: 'pass',
    medianMs: 21.5,
  };
  const mlp: MatrixCell = { ...whole, taskId: 't2', model: 'mlp', medianMs: 0.1 };
  const passed = judge([
    [1, 1],
    [2, 2],
  ]);
  const unsupported = unranCell(
    key('webgpu'),
    'unsupported',
    'stage 0 (10.8 MB) fits no worker: f1: webgpu: no adapter',
  );

  it('are rows of their own after the model’s, named by stages, strategy and workers', () => {
    const table = formatMatrixTable([whole, mlp], [passed, unsupported]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+WORKER\s+wasm\s+webgpu$/);
    expect(lines[1]).toMatch(/^transformer-stack\s+chromium\s+pass 21\.50 ms\s+-$/);
    expect(lines[2]).toMatch(
      /^transformer-stack\s+sharded 3×pipeline \(chromium×2, firefox\)\s+pass 250\.00 ms\s+unsupported \[1\]$/,
    );
    expect(lines[3]).toMatch(/^mlp\s+chromium\s+pass 0\.10 ms/);
    expect(table).toContain(
      '[1] sharded 3×pipeline webgpu: stage 0 (10.8 MB) fits no worker: f1: webgpu: no adapter',
    );
  });

  it("print each run's figures: throughput, bubble, stalls, bytes and each stage's worker", () => {
    const text = formatShardedFigures([passed, unsupported]);
    expect(text.split('\n')[0]).toBe(
      'transformer-stack sharded 3×pipeline on wasm: 2 micro-batches in 500ms, 4.00 micro-batches/s; bubble fraction 0.25; 1 stall(s) (60ms); 3.00 MB of activations committed, 2.00 MB read by later stages; 0 attempt(s) lost, 0 recovery(ies)',
    );
    expect(text).toMatch(/STAGE\s+WORKER\s+RUNS\s+RUN\s+TASK\s+WORKER BUSY/);
    expect(text).toMatch(/\n\s+2\s+f1\s+2\s+7\.0 ms\s+42\.0 ms\s+0\.75/);
    expect(text).not.toContain('webgpu');
  });

  it('count in the verdict, the JSON and the JUnit XML, and fail the suite when one fails', () => {
    const tasks = [] as Parameters<typeof buildSuiteReport>[4];
    const report = buildSuiteReport('s', 'g', new Date(0), 1000, tasks, new Map(), [
      passed,
      unsupported,
    ]);
    expect(report.passed).toBe(true);
    expect(report.sharded).toEqual([passed, unsupported]);
    expect(report.counts).toMatchObject({ cases: 4, casesFailed: 0, casesSkipped: 1 });
    expect(formatSuiteTable(report)).toMatch(
      /PASS {2}s: 1\/2 matrix cells passed \(1 unsupported, 0 failed\), 3\/4 checks passed \(1 skipped\)/,
    );
    const xml = toJUnitXml(report);
    expect(xml).toContain(
      '<testsuite name="transformer-stack · sharded 3×pipeline · wasm" tests="3" failures="0" errors="0" skipped="0" time="0.500">',
    );
    // Each micro-batch check carries its figures as JUnit properties.
    expect(xml).toMatch(
      /name="micro-batch 1" time="0\.250">\n {6}<properties>\n {8}<property name="mean_ms" value="250"\/>\n {8}<property name="throughput" value="4"\/>\n {8}<property name="max_abs_error" value="[\d.e-]+"\/>/,
    );
    expect(xml).toContain('name="each stage committed once per micro-batch" time="0.000"/>');
    expect(xml).toContain(
      '<testsuite name="transformer-stack · sharded 3×pipeline · webgpu" tests="1" failures="0" errors="0" skipped="1"',
    );
    const failed = { ...passed, verdict: 'fail' as const, committedTwice: 1 } satisfies ShardedCell;
    expect(buildSuiteReport('s', 'g', new Date(0), 1, tasks, new Map(), [failed]).passed).toBe(
      false,
    );
  });
});
