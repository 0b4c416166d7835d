import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ShardedCell } from '../../cli/report/sharded-cells.js';
import { spawnDtf } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const MICRO_BATCHES = 8;
const STAGES = 3;

// Three browsers and a Node worker each loading the model, two sharded runs of 8 micro-batches
// over 3 stages: over 180 s with a CPU hog on each core. The limit only catches a hang.
it('transformer-stack in 3 stages over two Chromiums and a Firefox, on wasm and on webgpu where a browser has it: every micro-batch matches the reference', async () => {
  const dir = tempDir();
  // The whole model runs only on the Node worker (fast): the browsers' time goes to the
  // sharded runs, which name their providers themselves.
  const suite = writeSuiteFile(dir, {
    name: 'sharded-e2e',
    pool: { chromium: 2, firefox: 1 },
    matrix: {
      models: ['transformer-stack'],
      targets: [{ worker: 'node', executionProviders: ['cpu'] }],
      runs: 1,
      sharding: {
        stages: STAGES,
        strategy: 'pipeline',
        recovery: 'immediate',
        microBatches: MICRO_BATCHES,
        executionProviders: ['wasm', 'webgpu'],
      },
    },
  });
  const run = spawnDtf(['run', suite, '--out', dir]);
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toMatch(
    /^transformer-stack\s+sharded 3×pipeline \(chromium×2(, firefox)?\)\s+-\s+pass \d+\.\d\d ms\s+pass \d+\.\d\d ms$/m,
  );

  const report = JSON.parse(readFileSync(join(dir, 'sharded-e2e.results.json'), 'utf8')) as {
    passed: boolean;
    sharded: ShardedCell[];
  };
  expect(report.passed).toBe(true);
  expect(report.sharded.map((cell) => cell.provider)).toEqual(['wasm', 'webgpu']);
  for (const cell of report.sharded) {
    const what = `${cell.provider}: ${cell.reason ?? ''}`;
    expect(cell, what).toMatchObject({ verdict: 'pass', committedTwice: 0, generations: 1 });
    const checks = cell.microBatchChecks!;
    expect(checks.map((check) => check.microBatch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(checks.filter((check) => !check.pass)).toEqual([]);
    expect(cell.placements!.map((p) => [p.stage, p.backend])).toEqual(
      [0, 1, 2].map((stage) => [stage, cell.provider]),
    );
    for (const placement of cell.placements!) {
      expect(placement.why).toContain(`on ${cell.provider}`);
    }
    expect(cell.figures!.stages.map((stage) => stage.runs)).toEqual([8, 8, 8]);
    expect(cell.figures!.lostAttempts).toBe(0);
  }
  // Firefox has no WebGPU here: the webgpu run's stages are all on Chromium, and the planner
  // said why Firefox was not eligible.
  const webgpu = report.sharded[1]!;
  expect(Object.keys(webgpu.workers)).toEqual(['chromium']);
  expect(webgpu.placements![0]!.why).toMatch(/not eligible: .*firefox.*: webgpu: /);
}, 600_000);
