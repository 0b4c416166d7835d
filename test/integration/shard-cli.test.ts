import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildSampleModel } from '../../models/index.js';
import type { PartitionPlan } from '../../sharding/partition/index.js';
import {
  CLI,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { runModel, runStages, seededFeeds, tensorBytes } from '../support/stage-chain.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const execFileAsync = promisify(execFile);

/** Runs `dtf <args>` to its end, stdout and stderr apart. */
function dtf(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status, stdout, stderr };
}

describe('dtf shard', () => {
  it('plan prints each stage and the tensors crossing each cut', () => {
    const run = dtf('shard', 'plan', 'sample:transformer-stack', '--stages', '3');
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^transformer-stack: 260 nodes, 31\.59 MB of weights, 256\.75 MFLOPs a run \(shapes measured on onnxruntime-node\)$/,
    );
    expect(lines[1]).toMatch(/^pipeline plan, 3 stage\(s\); \d+ bytes cross the cuts a run$/);
    expect(run.stdout).toMatch(
      /STAGE\s+NODES\s+FIRST\s+LAST\s+WEIGHTS\s+ACTIVATIONS\s+FLOPS\s+DEPENDS ON\s+OPS/,
    );
    expect(run.stdout).toMatch(/\n0\s+93\s+matmul_0\s+layernormalization_92\s+10\.53 MB\s+/);
    expect(run.stdout).toMatch(/\n2\s+78\s+matmul_182\s+encoded\s+9\.48 MB\s+.*\s1\s+Add×/);
    expect(run.stdout).toMatch(/CUT\s+TENSOR\s+TYPE\s+SHAPE\s+BYTES/);
    expect(run.stdout).toMatch(/0 → 1\s+layernormalization_92\s+float32\s+\[1, 16, 256\]\s+16384/);
  });

  it('plan --json prints the plan as JSON', () => {
    const run = dtf('shard', 'plan', 'sample:transformer-stack', '--stages', '3', '--json');
    expect(run.status, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as PartitionPlan;
    expect(plan.strategy).toBe('pipeline');
    expect(plan.stages.map((stage) => stage.nodes.length)).toEqual([93, 89, 78]);
    expect(plan.stages.map((stage) => stage.dependsOn)).toEqual([[], [0], [1]]);
    expect(plan.cuts[0]).toEqual({
      from: 0,
      to: 1,
      bytes: 16384,
      tensors: [
        { name: 'layernormalization_92', type: 'float32', dims: [1, 16, 256], bytes: 16384 },
      ],
    });
  });

  it('split writes stage models that, chained, compute what the whole model does', async () => {
    const out = join(tempDir(), 'stages');
    const run = dtf('shard', 'split', 'transformer-stack', '--stages', '3', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'plan.json',
      'stage-0.onnx',
      'stage-1.onnx',
      'stage-2.onnx',
    ]);
    expect(run.stderr).toMatch(/wrote .*stage-0\.onnx \(\d+ bytes\)/);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PartitionPlan;
    const stages = plan.stages.map((stage) => readFileSync(join(out, `stage-${stage.index}.onnx`)));
    const model = buildSampleModel('transformer-stack', 1);
    const feeds = seededFeeds(model.inputs);
    const whole = await runModel(model.bytes, feeds, 'disabled');
    const chained = await runStages(stages, plan, feeds, 'disabled');
    expect(tensorBytes(chained.encoded!).equals(tensorBytes(whole.encoded!))).toBe(true);
  });

  it('plans a model file, named after it, by component when it has branches', () => {
    const file = join(tempDir(), 'towers.onnx');
    writeFileSync(file, buildSampleModel('two-tower', 4).bytes);
    const run = dtf('shard', 'plan', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^towers: 41 nodes/);
    expect(run.stdout).toMatch(/component plan, 3 stage\(s\)/);
    expect(run.stdout).toMatch(/\n2\s+join\s+3\s+.*\s0,1\s+/);
  });

  it('exits 1 naming why a model cannot be cut as asked, 2 for a bad command line', () => {
    const tooMany = dtf('shard', 'plan', 'mlp', '--stages', '9');
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toContain('dtf: cannot cut 4 node(s) into 9 stages');
    const budget = dtf('shard', 'plan', 'transformer-stack', '--budget-mb', '1');
    expect(budget.status).toBe(1);
    expect(budget.stderr).toContain("node 'matmul_15' (MatMul) needs on its own: 1.13 MB");
    const missing = dtf('shard', 'plan', join(tempDir(), 'gone.onnx'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/dtf: model '.*gone\.onnx' does not exist/);
    expect(dtf('shard', 'plan', 'mlp', '--stages', '0').status).toBe(2);
    expect(dtf('shard', 'plan', 'mlp', '--strategy', 'layers').status).toBe(2);
    expect(dtf('shard', 'split', 'mlp').status).toBe(2);
  });
});

describe('dtf shard plan --coordinator', () => {
  it("places the stages on the coordinator's live workers, with each stage's reason and the pairs no run measured", async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    for (const name of ['node-a', 'node-b']) {
      await startWorkerProcess(coordinator, { slots: 1, name });
    }
    const access = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const plan = ['shard', 'plan', 'mlp', '--stages', '2', ...access];

    const text = spawnDtf([...plan, '--backends', 'cpu,wasm']);
    expect(await text.exitWithin(60_000), text.output()).toBe(0);
    const output = text.output();
    expect(output).toMatch(/^mlp: 4 nodes/m);
    expect(output).toMatch(
      /placement over 2 live worker\(s\) that take stages \(backends cpu, wasm\)/,
    );
    expect(output).toMatch(/STAGE\s+WORKER\s+BROWSER\s+BACKEND\s+EXPECTED\s+SPEED/);
    // Two stages, two idle workers: one stage each.
    expect(output).toMatch(/\n0\s+node-[ab]\s+node\s+cpu\s+\d+\.\d ms\s+unmeasured/);
    expect(output).toMatch(/\n1\s+node-[ab]\s+node\s+cpu\s+\d+\.\d ms\s+unmeasured/);
    expect(output).toMatch(/^stage 0: node-[ab] on cpu ≈\d+\.\d ms \(unmeasured\); next best: /m);
    expect(output).toMatch(/unmeasured, so placed on estimates .*: node-[ab] cpu \(no history\)/);

    const { stdout } = await execFileAsync(process.execPath, [CLI, ...plan, '--json']);
    const { plan: cut, placement } = JSON.parse(stdout);
    expect(cut.stages).toHaveLength(2);
    expect(placement.backends).toEqual(['cpu', 'wasm', 'webgpu', 'webnn']);
    expect(new Set(placement.stages.map((s: { workerName: string }) => s.workerName))).toEqual(
      new Set(['node-a', 'node-b']),
    );
    expect(placement.unmeasured).toHaveLength(2);

    const nowhere = spawnDtf([...plan, '--backends', 'webgpu']);
    expect(await nowhere.exitWithin(60_000)).toBe(1);
    expect(nowhere.output()).toMatch(
      /dtf: cannot place the stages on the live workers: stage \d \(.*\) fits no worker: node-[ab]: webgpu: a Node worker runs onnxruntime-node, not onnxruntime-web/,
    );
  });
});
