import { describe, expect, it } from 'vitest';
import { buildSampleModel } from '../../../../models/index.js';
import { ShardStagePayload, type TaskEvent } from '../../../../protocol/index.js';
import {
  type PartitionPlan,
  planPartition,
  readModelGraph,
  resolveShapes,
  stageModels,
} from '../../../../sharding/partition/index.js';
import type {
  CandidateWorker,
  StagePlacement,
} from '../../../../sharding/placement/place-stages.js';
import { NO_SPEEDS } from '../../../../sharding/placement/speeds.js';
import { workerBackends } from '../../../../sharding/placement/worker-backends.js';
import { microBatchInput } from '../../../../sharding/run/micro-batch-input.js';
import {
  checkStagesRunnable,
  prepareModel,
  StageNotRunnableError,
} from '../../../../sharding/run/prepare-model.js';
import { decideRecovery, type LostStage } from '../../../../sharding/run/recovery.js';
import { planRemaining, remainingGraph } from '../../../../sharding/run/remaining-graph.js';
import { RunLedger } from '../../../../sharding/run/run-ledger.js';
import { stageTasks } from '../../../../sharding/run/stage-tasks.js';
import { browserCapabilities } from '../../../support/fixtures.js';
import { handMadeModel } from '../../../support/hand-made-model.js';

const REF = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

async function transformerPlan(stages: number) {
  const model = buildSampleModel('transformer-block', 1);
  const graph = readModelGraph(model.bytes);
  const { shapes } = await resolveShapes(graph, model.inputs);
  return { model, graph, shapes, plan: planPartition(graph, shapes, { stages }) };
}

function placementsFor(plan: PartitionPlan): StagePlacement[] {
  return plan.stages.map((stage) => ({
    stage: stage.index,
    workerId: `w${stage.index}`,
    workerName: `chromium-${stage.index}`,
    backend: 'wasm',
    expectedMs: 1,
    speed: { msPerGflop: 1, samples: 1, source: 'worker' },
    why: 'test',
  }));
}

function succeeded(taskId: string, outputs: Record<string, { dims: number[] }>, at = 1): TaskEvent {
  return {
    taskId,
    state: 'succeeded',
    attempt: 1,
    workerId: 'w',
    at,
    result: {
      status: 'succeeded',
      durationMs: 1,
      output: {
        kind: 'shard-stage',
        executionProvider: 'wasm',
        runtime: 'test',
        timings: {
          modelFetchMs: 0,
          inputFetchMs: 0,
          sessionCreateMs: 0,
          sessionReused: true,
          runMs: 1,
          uploadMs: 0,
        },
        outputs: Object.fromEntries(
          Object.entries(outputs).map(([name, { dims }], i) => [
            name,
            {
              artifact: REF(i + 1),
              type: 'float32',
              dims,
              bytes: 4 * dims.reduce((a, b) => a * b, 1),
              summary: { type: 'float32', dims, sha256: '0'.repeat(64), min: 0, max: 0, mean: 0 },
            },
          ]),
        ),
      },
    },
  };
}

/**
 * A ledger of transformer-block in two stages over `microBatches`, its tasks `s<stage>.b<b>`
 * tracked, with the outputs each stage commits.
 */
async function twoStageLedger(microBatches = 1) {
  const { graph, plan } = await transformerPlan(2);
  const ledger = new RunLedger(microBatches, graph.outputs);
  const all = Array.from({ length: microBatches }, (_, b) => b);
  ledger.addGeneration(plan, placementsFor(plan), all);
  for (const microBatch of all) {
    for (const stage of [0, 1]) {
      ledger.track(`s${stage}.b${microBatch}`, { generation: 0, stage, microBatch });
    }
  }
  const crossing = Object.fromEntries(
    plan.stages[0]!.outputs.map((o) => [o.name, { dims: o.dims }]),
  );
  const finals = Object.fromEntries(graph.outputs.map((name) => [name, { dims: [1, 16, 64] }]));
  return { graph, plan, ledger, crossing, finals };
}

describe('stageTasks', () => {
  it('builds a DAG per micro-batch whose inputs come from the model, a parent, or a commit', async () => {
    const { model, plan } = await transformerPlan(3);
    const source = {
      run: 'r1',
      label: 'transformer-block',
      generation: 0,
      stages: plan.stages,
      models: plan.stages.map((s) => REF(100 + s.index)),
      placements: placementsFor(plan),
      modelInputs: model.inputs,
      maxRetries: 5,
      timeoutMs: 60_000,
    };
    const specs = stageTasks(source, 2);
    expect(specs.map((spec) => spec.ref)).toEqual(['g0.s0.b2', 'g0.s1.b2', 'g0.s2.b2']);
    for (const spec of specs) {
      if (spec.kind !== 'shard-stage') throw new Error('not a stage task');
      const payload = ShardStagePayload.parse(spec.payload);
      expect(spec.requirements).toEqual({ workers: [`w${payload.stage}`] });
      for (const input of Object.values(payload.inputs)) {
        if (input.from === 'dependency') {
          expect(spec.dependsOn![input.dependency]).toMatch(/^g0\.s[01]\.b2$/);
        }
        if (input.from === 'value')
          expect(input.tensor).toEqual(microBatchInput(model.inputs.x!, 2));
      }
    }
    expect(specs[0]!.dependsOn).toBeUndefined();
    // Every stage reports hashes and statistics only: values are read from the committed store.
    const reported = specs.map((spec) => ShardStagePayload.parse(spec.payload).maxOutputElements);
    expect(reported).toEqual([0, 0, 0]);
    // After a re-plan, a committed activation is read as an artifact, not from a parent.
    const first = plan.stages[1]!.inputs.find((input) => input.name !== 'x')!;
    const committed = new Map([
      [first.name, { artifact: REF(7), type: 'float32' as const, dims: first.dims }],
    ]);
    const replanned = stageTasks({ ...source, stages: [plan.stages[1]!] }, 2, committed);
    const payload = replanned[0]!.payload as ShardStagePayload;
    expect(payload.inputs[first.name]).toEqual({
      from: 'artifact',
      artifact: REF(7),
      type: 'float32',
      dims: first.dims,
    });
  });
});

describe('RunLedger', () => {
  it('commits outputs, reports lost attempts and failures, and counts work committed twice', async () => {
    const { graph, plan } = await transformerPlan(2);
    const ledger = new RunLedger(1, graph.outputs);
    const generation = ledger.addGeneration(plan, placementsFor(plan), [0]);
    ledger.track('t0', { generation, stage: 0, microBatch: 0 });
    ledger.track('t1', { generation, stage: 1, microBatch: 0 });
    ledger.apply({ taskId: 't0', state: 'running', attempt: 1, at: 1 });
    expect(
      ledger.apply({ taskId: 't0', state: 'queued', attempt: 1, at: 2, reason: 'worker lost' }),
    ).toEqual({
      type: 'requeued',
      task: { taskId: 't0', generation, stage: 0, microBatch: 0 },
      reason: 'worker lost',
    });
    const crossing = Object.fromEntries(
      plan.stages[0]!.outputs.map((o) => [o.name, { dims: o.dims }]),
    );
    expect(ledger.apply(succeeded('t0', crossing))?.type).toBe('committed');
    expect(ledger.isComplete(0)).toBe(false);
    expect(ledger.done(0).size).toBe(plan.stages[0]!.nodes.length);
    // A repeated event changes nothing.
    expect(ledger.apply(succeeded('t0', crossing))).toBeUndefined();
    const finals = Object.fromEntries(graph.outputs.map((name) => [name, { dims: [1, 16, 64] }]));
    ledger.apply(succeeded('t1', finals));
    expect(ledger.allComplete()).toBe(true);
    expect(ledger.committedTwice).toBe(0);
    // Work of stage 0 committed again for the same micro-batch would be counted.
    ledger.track('t0-again', { generation, stage: 0, microBatch: 0 });
    ledger.apply(succeeded('t0-again', crossing));
    expect(ledger.committedTwice).toBe(plan.stages[0]!.nodes.length);
  });

  it('takes a withdrawn task’s end for no failure', async () => {
    const { ledger } = await twoStageLedger();
    expect(
      ledger.apply({ taskId: 's1.b0', state: 'failed', attempt: 1, at: 1, reason: 'boom' }),
    ).toMatchObject({
      type: 'failed',
      reason: 'boom',
    });
    ledger.withdraw(['s0.b0']);
    expect(
      ledger.apply({ taskId: 's0.b0', state: 'cancelled', attempt: 0, at: 1 }),
    ).toBeUndefined();
  });
});

describe('RunLedger before and after a re-plan', () => {
  it('holds the events of a task until it is tracked, then takes them in the order they came', async () => {
    const { graph, plan } = await transformerPlan(2);
    const ledger = new RunLedger(1, graph.outputs);
    ledger.addGeneration(plan, placementsFor(plan), [0]);
    // The coordinator placed, ran and lost an attempt before the submit was answered.
    for (const state of ['assigned', 'running'] as const) {
      expect(ledger.apply({ taskId: 't0', state, attempt: 1, at: 1 })).toBeUndefined();
    }
    ledger.apply({ taskId: 't0', state: 'queued', attempt: 1, at: 2, reason: 'worker lost' });
    expect(ledger.track('t0', { generation: 0, stage: 0, microBatch: 0 })).toEqual([
      {
        type: 'requeued',
        task: { taskId: 't0', generation: 0, stage: 0, microBatch: 0 },
        reason: 'worker lost',
      },
    ]);
    // A commit that came early counts once it is tracked, and is not taken twice.
    const crossing = Object.fromEntries(
      plan.stages[0]!.outputs.map((o) => [o.name, { dims: o.dims }]),
    );
    ledger.apply(succeeded('t1', crossing));
    expect(ledger.commits).toEqual([]);
    expect(ledger.track('t1', { generation: 0, stage: 0, microBatch: 0 })).toMatchObject([
      { type: 'committed', commit: { taskId: 't1', stage: 0 } },
    ]);
    expect(ledger.track('t1', { generation: 0, stage: 0, microBatch: 0 })).toEqual([]);
    expect(ledger.committedTwice).toBe(0);
  });

  it('keeps the placement it was given as it was when a stage moves', async () => {
    const { graph, plan } = await transformerPlan(2);
    const ledger = new RunLedger(1, graph.outputs);
    const placements = placementsFor(plan);
    ledger.addGeneration(plan, placements, [0]);
    ledger.move(0, { ...placements[1]!, workerId: 'w9', workerName: 'chromium-9' });
    expect(placements[1]!.workerId).toBe('w1');
    expect(ledger.placementOf({ generation: 0, stage: 1 }).workerId).toBe('w9');
  });

  it('takes a commit that lands as a re-plan withdraws its task: committed, not planned again', async () => {
    const { plan, ledger, crossing } = await twoStageLedger();
    ledger.withdraw(ledger.liveTasks().map((task) => task.taskId));
    expect(ledger.apply(succeeded('s0.b0', crossing))).toMatchObject({ type: 'committed' });
    expect(
      ledger.apply({ taskId: 's1.b0', state: 'cancelled', attempt: 0, at: 2 }),
    ).toBeUndefined();
    expect(ledger.unplanned()).toEqual([0]);
    expect(ledger.done(0)).toEqual(new Set(plan.stages[0]!.nodes));
  });

  it('names the unfinished micro-batches no live task works on once their tasks are withdrawn', async () => {
    const { plan, ledger, crossing, finals } = await twoStageLedger(3);
    ledger.apply(succeeded('s0.b0', crossing));
    ledger.apply(succeeded('s1.b0', finals));
    ledger.apply(succeeded('s0.b1', crossing));
    expect(ledger.unplanned()).toEqual([]);
    ledger.withdraw(ledger.liveTasks().map((task) => task.taskId));
    // Micro-batch 0 is complete; 1 has stage 0 committed, 2 nothing: both wait for a plan.
    expect(ledger.unplanned()).toEqual([1, 2]);
    expect(ledger.done(1)).toEqual(new Set(plan.stages[0]!.nodes));
    ledger.addGeneration(plan, placementsFor(plan), [1]);
    ledger.track('g1.s1.b1', { generation: 1, stage: 1, microBatch: 1 });
    expect(ledger.unplanned()).toEqual([2]);
  });
});

describe('remainingGraph', () => {
  it('leaves the nodes not done, reading committed values as inputs', async () => {
    const { graph, shapes, plan } = await transformerPlan(3);
    const done = new Set(plan.stages[0]!.nodes);
    const rest = remainingGraph(graph, done);
    expect(rest.nodes.length).toBe(graph.nodes.length - done.size);
    expect(new Set(rest.inputs)).toEqual(
      new Set(
        plan.stages
          .slice(1)
          .flatMap((s) => s.inputs)
          .filter(
            (i) => !plan.stages.slice(1).some((s) => s.outputs.some((o) => o.name === i.name)),
          )
          .map((i) => i.name),
      ),
    );
    expect(rest.outputs).toEqual(graph.outputs);
    // What is left can be planned again, into fewer stages.
    expect(planPartition(rest, shapes, { stages: 1 }).stages).toHaveLength(1);
  });

  it('plans what is left in fewer stages than asked when fewer nodes are left', async () => {
    const { graph, shapes } = await transformerPlan(3);
    const done = new Set(graph.nodes.slice(0, -2).map((node) => node.name));
    const { rest, plan } = planRemaining(graph, shapes, done, { stages: 3 });
    expect(rest.nodes).toHaveLength(2);
    expect(plan.stages.map((stage) => stage.nodes.length)).toEqual([1, 1]);
    expect(plan.stages.at(-1)!.outputs.map((output) => output.name)).toEqual(graph.outputs);
  });

  it('plans what is left in more stages than asked when that many cannot fit the budget', async () => {
    const { graph, shapes, plan: whole } = await transformerPlan(3);
    const done = new Set(whole.stages[0]!.nodes);
    const { plan: one } = planRemaining(graph, shapes, done, { stages: 1 });
    const needs = one.stages[0]!.weightBytes + one.stages[0]!.activationBytes;
    const { plan } = planRemaining(graph, shapes, done, { stages: 1, budgetBytes: needs - 1 });
    expect(plan.stages.length).toBeGreaterThan(1);
    for (const stage of plan.stages) {
      expect(stage.weightBytes + stage.activationBytes).toBeLessThan(needs);
    }
  });
});

describe('decideRecovery', () => {
  const worker = (id: string): CandidateWorker => ({
    id,
    name: `chromium-${id}`,
    browser: 'chromium',
    backends: workerBackends(browserCapabilities()),
    budgetBytes: 1e9,
  });
  const lost: LostStage[] = [
    { generation: 0, stage: 1, costFlops: 1e9, memoryBytes: 1e6, taskIds: ['a', 'b'] },
  ];
  const base = {
    lost,
    held: new Map([
      ['w0', 1e6],
      ['w2', 1e6],
    ]),
    placement: { backends: ['wasm'] as const, speeds: NO_SPEEDS },
    plannedStages: 3,
    waitedMs: 0,
    waitBoundMs: 5_000,
    placementBoundMs: 30_000,
  };

  it('immediate: moves the lost stage to a free worker, else beside another stage', () => {
    const free = decideRecovery({
      ...base,
      strategy: 'immediate',
      workers: [worker('w0'), worker('w2'), worker('w3')],
    });
    expect(free).toMatchObject([
      { type: 'move', to: { workerId: 'w3', stage: 1 }, taskIds: ['a', 'b'] },
    ]);
    const shared = decideRecovery({
      ...base,
      strategy: 'immediate',
      workers: [worker('w0'), worker('w2')],
    });
    expect(shared).toMatchObject([{ type: 'move' }]);
  });

  it('progressive: moves to a free worker, waits within the bound, then re-plans into fewer stages', () => {
    expect(
      decideRecovery({ ...base, strategy: 'progressive', workers: [worker('w0'), worker('w3')] }),
    ).toMatchObject([{ type: 'move', to: { workerId: 'w3' } }]);
    const busyOnly = [worker('w0'), worker('w2')];
    expect(decideRecovery({ ...base, strategy: 'progressive', workers: busyOnly })).toMatchObject([
      { type: 'wait' },
    ]);
    expect(
      decideRecovery({ ...base, strategy: 'progressive', workers: busyOnly, waitedMs: 5_000 }),
    ).toMatchObject([{ type: 'replan', stages: 2 }]);
  });

  it('coordinated: re-plans everything over the workers alive', () => {
    expect(
      decideRecovery({ ...base, strategy: 'coordinated', workers: [worker('w0'), worker('w2')] }),
    ).toMatchObject([{ type: 'replan', stages: 2 }]);
  });

  it.each(['immediate', 'progressive', 'coordinated'] as const)(
    '%s: with no worker alive, waits for one, then ends the run after the placement bound',
    (strategy) => {
      expect(decideRecovery({ ...base, strategy, workers: [] })).toEqual([
        { type: 'wait', why: 'stage 1 waits for a live worker: none is connected' },
      ]);
      expect(decideRecovery({ ...base, strategy, workers: [], waitedMs: 30_000 })).toEqual([
        {
          type: 'fail',
          why: 'no live worker could take the stage for 30000 ms: stage 1 waits for a live worker: none is connected',
        },
      ]);
    },
  );

  it('immediate: beside other stages only where the memory they hold leaves room', () => {
    const mb = 1024 * 1024;
    const lostHalf = [{ ...lost[0]!, memoryBytes: 0.5 * mb }];
    const workers = [worker('w0'), worker('w2')].map((w) => ({ ...w, budgetBytes: mb }));
    const roomy = new Map([
      ['w0', 0.6 * mb],
      ['w2', 0.2 * mb],
    ]);
    expect(
      decideRecovery({ ...base, strategy: 'immediate', lost: lostHalf, workers, held: roomy }),
    ).toMatchObject([{ type: 'move', to: { workerId: 'w2' } }]);
    const full = new Map([
      ['w0', 0.6 * mb],
      ['w2', 0.6 * mb],
    ]);
    const [waiting] = decideRecovery({
      ...base,
      strategy: 'immediate',
      lost: lostHalf,
      workers,
      held: full,
    });
    expect(waiting).toMatchObject({ type: 'wait' });
    expect((waiting as { why: string }).why).toContain(
      'chromium-w2: needs 0.5 MB, budget 1.0 MB (0.6 MB of it taken by earlier stages)',
    );
  });

  it('immediate: a stage no live worker can hold waits, naming why, then ends the run', () => {
    const small = (id: string) => ({ ...worker(id), budgetBytes: 1e5 });
    const workers = [small('w0'), small('w3')];
    const [waiting] = decideRecovery({ ...base, strategy: 'immediate', workers });
    expect(waiting).toMatchObject({ type: 'wait' });
    const [failed] = decideRecovery({ ...base, strategy: 'immediate', workers, waitedMs: 30_000 });
    expect(failed).toMatchObject({ type: 'fail' });
    const why = (failed as { why: string }).why;
    expect(why).toMatch(/^no live worker could take the stage for 30000 ms: stage 1 \(1\.0 MB\)/);
    expect(why).toContain('chromium-w3: needs 1.0 MB, budget 0.1 MB');
  });
});

describe('prepareModel', () => {
  it('refuses a model with an op no backend runs, naming the op, before anything runs', async () => {
    const bytes = handMadeModel({
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y', dims: [1, 4] }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Frobnicate', inputs: ['r'], outputs: ['y'] },
      ],
    });
    const model = {
      name: 'custom-op',
      description: '',
      bytes,
      inputs: { x: { type: 'float32' as const, dims: [1, 4], seed: 1 } },
    };
    const refusal = prepareModel(model, { stages: 2 });
    await expect(refusal).rejects.toThrow(StageNotRunnableError);
    await expect(refusal).rejects.toThrow(/cannot run on any backend.*Frobnicate/);
  });

  it('refuses a stage whose op no backend runs, naming the stage', async () => {
    const { graph, shapes, plan } = await transformerPlan(2);
    const broken = handMadeModel({
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y', dims: [1, 4] }],
      nodes: [{ op: 'Frobnicate', inputs: ['x'], outputs: ['y'] }],
    });
    const fine = stageModels(graph, plan, shapes);
    await expect(checkStagesRunnable(plan, [fine[0]!, broken])).rejects.toThrow(
      /^stage 1 \(.*\) cannot run on any backend: .*Frobnicate/,
    );
  });
});
