import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSuite } from '../../../../cli/run/load-suite.js';
import { shardedProviders } from '../../../../cli/run/sharded-providers.js';
import { suitePool } from '../../../../cli/run/suite-pool.js';
import { ModelMatrix, parseWith, Suite } from '../../../../protocol/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const what = "suite file 'x.json'";
const chromium = { worker: 'chromium', executionProviders: ['wasm', 'webgpu'] };
const firefox = { worker: 'firefox', executionProviders: ['wasm'] };
const node = { worker: 'node', executionProviders: ['cpu'] };

function matrix(sharding: Record<string, unknown>, targets: unknown[] = [chromium, firefox]) {
  return { models: ['mlp', 'transformer-stack'], targets, sharding };
}

/** The message a matrix with this sharding is refused with, or undefined when it is taken. */
function refusal(sharding: Record<string, unknown>): string | undefined {
  const parsed = parseWith(ModelMatrix, matrix(sharding), 'matrix');
  return parsed.ok ? undefined : parsed.error.message;
}

describe('the sharding of a suite matrix', () => {
  it('takes stages and fills in the strategy, recovery and micro-batches', () => {
    expect(ModelMatrix.parse(matrix({ stages: 3 })).sharding).toEqual({
      stages: 3,
      strategy: 'auto',
      recovery: 'immediate',
      microBatches: 8,
    });
  });

  it('refuses stage and micro-batch counts out of bounds, and unknown strategies', () => {
    expect(refusal({ stages: 0 })).toMatch(/sharding\.stages/);
    expect(refusal({ stages: 65 })).toMatch(/sharding\.stages/);
    expect(refusal({ stages: 2, microBatches: 0 })).toMatch(/sharding\.microBatches/);
    expect(refusal({ stages: 2, microBatches: 1001 })).toMatch(/sharding\.microBatches/);
    expect(refusal({ stages: 2, budgetMb: 0 })).toMatch(/sharding\.budgetMb/);
    expect(refusal({ stages: 2, recovery: 'eventually' })).toMatch(/sharding\.recovery/);
    expect(refusal({ stages: 2, strategy: 'layers' })).toMatch(/sharding\.strategy/);
    expect(refusal({ stages: 2, extra: true })).toMatch(/extra/);
  });

  it('refuses a model to shard that the matrix does not have, naming those it has', () => {
    expect(refusal({ stages: 2, models: ['transformer-stack', 'cnn'] })).toContain(
      "sharding.models[1]: 'cnn' is not one of the matrix's models ('mlp', 'transformer-stack')",
    );
    expect(refusal({ stages: 2, models: ['transformer-stack'] })).toBeUndefined();
  });

  it('takes a model file to shard as the matrix names it, both made absolute', async () => {
    const dir = tempDir();
    const file = join(dir, 'suite.json');
    const models = ['models/own.onnx', 'mlp'];
    const sharding = { stages: 2, models: ['models/own.onnx'] };
    writeFileSync(
      file,
      JSON.stringify({ name: 'x', matrix: { models, targets: [node], sharding } }),
    );
    const suite = await loadSuite(file);
    expect(suite.matrix?.models[0]).toBe(join(dir, 'models/own.onnx'));
    expect(suite.matrix?.sharding?.models).toEqual([join(dir, 'models/own.onnx')]);
  });

  it("runs on the browser targets' providers, and cpu where a node target is", () => {
    const parsed = ModelMatrix.parse(matrix({ stages: 2 }, [chromium, firefox, node]));
    expect(shardedProviders(parsed)).toEqual(['wasm', 'webgpu', 'cpu']);
    const browserCpu = { worker: 'chromium', executionProviders: ['cpu', 'wasm'] };
    expect(shardedProviders(ModelMatrix.parse(matrix({ stages: 2 }, [browserCpu])))).toEqual([
      'wasm',
    ]);
  });

  it('runs on the providers the sharding names instead, where it names them', () => {
    const named = matrix({ stages: 2, executionProviders: ['webgpu', 'wasm'] }, [node]);
    expect(shardedProviders(ModelMatrix.parse(named))).toEqual(['webgpu', 'wasm']);
    expect(refusal({ stages: 2, executionProviders: [] })).toMatch(/executionProviders/);
  });
});

describe('examples/sharded.json', () => {
  it('shards transformer-stack in 3 stages over two Chromiums and a Firefox, on wasm and webgpu', async () => {
    const file = fileURLToPath(new URL('../../../../examples/sharded.json', import.meta.url));
    const suite = await loadSuite(file);
    expect(suite.pool).toEqual({ chromium: 2, firefox: 1 });
    expect(suite.matrix?.models).toEqual(['transformer-stack']);
    expect(suite.matrix?.sharding).toMatchObject({
      stages: 3,
      strategy: 'pipeline',
      microBatches: 8,
    });
    expect(shardedProviders(suite.matrix!)).toEqual(['wasm', 'webgpu']);
  });
});

describe('the pool dtf run starts for a sharded suite', () => {
  const sharded = (stages: number, targets: unknown[], pool?: Record<string, number>) =>
    Suite.parse({ name: 'x', matrix: matrix({ stages }, targets), ...(pool ? { pool } : {}) });

  it('grows to a browser per stage, taking the targeted browsers in turn', () => {
    expect(suitePool(sharded(3, [chromium, firefox]), what)).toEqual({ chromium: 2, firefox: 1 });
    expect(suitePool(sharded(2, [firefox, chromium]), what)).toEqual({ chromium: 1, firefox: 1 });
    expect(suitePool(sharded(3, [firefox]), what)).toEqual({ firefox: 3 });
  });

  it('starts at most four browsers, and none for a Node-only matrix', () => {
    expect(suitePool(sharded(10, [chromium, firefox]), what)).toEqual({ chromium: 2, firefox: 2 });
    expect(suitePool(sharded(3, [node]), what)).toEqual({});
  });

  it("starts Chromiums for a browser's provider the sharding names on a Node-only matrix", () => {
    const suite = Suite.parse({
      name: 'x',
      matrix: matrix({ stages: 2, executionProviders: ['wasm'] }, [node]),
    });
    expect(suitePool(suite, what)).toEqual({ chromium: 2 });
  });

  it("keeps the suite's own pool", () => {
    expect(suitePool(sharded(3, [chromium], { chromium: 1 }), what)).toEqual({ chromium: 1 });
  });
});
