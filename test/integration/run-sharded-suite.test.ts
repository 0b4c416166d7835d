import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ShardedCell } from '../../cli/report/sharded-cells.js';
import { spawnDtf } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const node = { worker: 'node', executionProviders: ['cpu'] };

/** A suite sharding mlp on the Node worker `dtf run` starts. */
function shardedSuite(dir: string, name: string, sharding: Record<string, unknown>): string {
  return writeSuiteFile(dir, {
    name,
    matrix: { models: ['mlp'], targets: [node], runs: 1, sharding },
  });
}

function shardedCells(dir: string, name: string): ShardedCell[] {
  return JSON.parse(readFileSync(join(dir, `${name}.results.json`), 'utf8')).sharded;
}

describe('dtf run with a sharded matrix', () => {
  it('runs each micro-batch through the stages and compares it with its own reference', async () => {
    const dir = tempDir();
    const suite = shardedSuite(dir, 'sharded-cpu', {
      stages: 2,
      strategy: 'pipeline',
      microBatches: 4,
    });
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exitWithin(120_000), run.output()).toBe(0);
    const output = run.output();
    expect(output).toMatch(/^mlp\s+node\s+pass /m);
    expect(output).toMatch(/^mlp\s+sharded 2×pipeline \(node\)\s+pass \d+\.\d\d ms$/m);
    expect(output).toMatch(/^ {2}stage 0 → \S+ on cpu ≈/m);
    expect(output).toMatch(
      /^mlp sharded 2×pipeline on cpu: 4 micro-batches in .*micro-batches\/s; bubble fraction \d\.\d\d/m,
    );
    expect(output).toMatch(/PASS {2}sharded-cpu: 2\/2 matrix cells passed/);
    const [cell] = shardedCells(dir, 'sharded-cpu');
    expect(cell).toMatchObject({
      model: 'mlp',
      provider: 'cpu',
      stages: 2,
      strategy: 'pipeline',
      recovery: 'immediate',
      verdict: 'pass',
      workers: { node: 1 },
      committedTwice: 0,
      generations: 1,
      recoveries: [],
    });
    expect(cell!.microBatchChecks!.map((check) => check.microBatch)).toEqual([0, 1, 2, 3]);
    expect(cell!.microBatchChecks!.every((check) => check.pass)).toBe(true);
    expect(cell!.placements!.map((p) => [p.stage, p.backend])).toEqual([
      [0, 'cpu'],
      [1, 'cpu'],
    ]);
    expect(cell!.figures!.stages.map((stage) => stage.runs)).toEqual([4, 4]);
    const junit = readFileSync(join(dir, 'sharded-cpu.junit.xml'), 'utf8');
    expect(junit).toContain(
      '<testsuite name="mlp · sharded 2×pipeline · cpu" tests="5" failures="0"',
    );
  });

  it('names a model that cannot be cut as asked, before starting anything', async () => {
    const dir = tempDir();
    const suite = shardedSuite(dir, 'too-many', { stages: 9 });
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exitWithin(60_000)).toBe(1);
    expect(run.output()).toMatch(
      /dtf: suite file '.*too-many\.json': cannot shard model mlp: cannot cut 4 node\(s\) into 9 stages/,
    );
    expect(run.output()).not.toMatch(/starting a coordinator/);
  });

  it('at --timeout stops the sharded run under way, reports it as an error and exits 1', async () => {
    const dir = tempDir();
    // A thousand micro-batches of the 10-block model take far longer than the timeout allows.
    const suite = writeSuiteFile(dir, {
      name: 'sharded-timeout',
      matrix: {
        models: ['transformer-stack'],
        targets: [node],
        runs: 1,
        sharding: { stages: 2, microBatches: 1000 },
      },
    });
    const run = spawnDtf(['run', suite, '--out', dir, '--timeout', '8s']);
    expect(await run.exitWithin(90_000), run.output()).toBe(1);
    expect(run.output()).toMatch(
      /dtf: suite 'sharded-timeout' timed out after 8\.0s \(--timeout\)/,
    );
    const [cell] = shardedCells(dir, 'sharded-timeout');
    expect(cell).toMatchObject({ verdict: 'error' });
    expect(cell!.reason).toMatch(/the suite's --timeout (of 8\.0s )?ran out/);
  });
});
