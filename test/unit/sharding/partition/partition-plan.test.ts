import pkg from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSampleModel, type SampleModelName } from '../../../../models/index.js';
import {
  type ModelGraph,
  PartitionError,
  type PartitionPlan,
  planPartition,
  readModelGraph,
  resolveShapes,
  type ValueShape,
  type ValueShapes,
} from '../../../../sharding/partition/index.js';
import { handMadeModel } from '../../../support/hand-made-model.js';

const { DataType } = pkg.onnx.TensorProto;

async function sample(name: SampleModelName): Promise<{ graph: ModelGraph; shapes: ValueShapes }> {
  const model = buildSampleModel(name, 1);
  const graph = readModelGraph(model.bytes);
  return { graph, shapes: (await resolveShapes(graph, model.inputs)).shapes };
}

/** The stages `stage` depends on, directly or through others. */
function ancestors(plan: PartitionPlan, stage: number): Set<number> {
  const found = new Set<number>();
  const visit = (s: number) => {
    for (const d of plan.stages[s]!.dependsOn) {
      if (!found.has(d)) {
        found.add(d);
        visit(d);
      }
    }
  };
  visit(stage);
  return found;
}

/**
 * What must hold of any plan: stages after those they depend on; every input a graph input
 * or an output of a stage it depends on, and the cuts are exactly those hand-overs; every
 * node in one stage.
 */
function expectConsistent(graph: ModelGraph, plan: PartitionPlan): void {
  const producedBy = new Map<string, number>();
  for (const stage of plan.stages) {
    for (const output of stage.outputs) producedBy.set(output.name, stage.index);
  }
  const handed = new Map<string, string[]>();
  for (const stage of plan.stages) {
    expect(stage.dependsOn.every((d) => d < stage.index)).toBe(true);
    for (const input of stage.inputs) {
      const from = producedBy.get(input.name);
      if (from === undefined) {
        expect(graph.inputs).toContain(input.name);
        continue;
      }
      expect(stage.dependsOn).toContain(from);
      const key = `${from}→${stage.index}`;
      handed.set(key, [...(handed.get(key) ?? []), input.name]);
    }
  }
  const cuts = new Map(
    plan.cuts.map((cut) => [`${cut.from}→${cut.to}`, cut.tensors.map((t) => t.name)]),
  );
  expect(cuts).toEqual(handed);
  const nodes = plan.stages.flatMap((stage) => stage.nodes);
  expect(nodes.sort()).toEqual(graph.nodes.map((node) => node.name).sort());
  for (const output of graph.outputs) expect(producedBy.has(output)).toBe(true);
}

describe('component plans', () => {
  let twoTower: { graph: ModelGraph; shapes: ValueShapes };
  beforeAll(async () => {
    twoTower = await sample('two-tower');
  });

  it('run the two towers apart, neither depending on the other, and join them after both', () => {
    const { graph, shapes } = twoTower;
    for (const options of [{}, { strategy: 'component' as const }, { stages: 5 }]) {
      const plan = planPartition(graph, shapes, options);
      expect(plan.strategy).toBe('component');
      expectConsistent(graph, plan);
      const branchOf = (branch: string) =>
        plan.stages.filter((stage) => stage.branch === branch).map((stage) => stage.index);
      const [image, text, join] = [branchOf('image'), branchOf('text'), branchOf('join')];
      expect(image.length).toBeGreaterThanOrEqual(1);
      expect(text.length).toBeGreaterThanOrEqual(1);
      expect(join).toHaveLength(1);
      for (const i of image) for (const t of text) expect(ancestors(plan, t).has(i)).toBe(false);
      for (const t of text) for (const i of image) expect(ancestors(plan, i).has(t)).toBe(false);
      const joinAncestors = ancestors(plan, join[0]!);
      for (const stage of [...image, ...text]) expect(joinAncestors.has(stage)).toBe(true);
    }
  });

  it('give a tower more stages when more are asked for, the costlier first', () => {
    const { graph, shapes } = twoTower;
    const plan = planPartition(graph, shapes, { stages: 4 });
    const counts = (branch: string) => plan.stages.filter((s) => s.branch === branch).length;
    // The text tower (an encoder block) costs more than the image tower.
    const cost = (branch: string, p: PartitionPlan) =>
      p.stages.filter((s) => s.branch === branch).reduce((sum, s) => sum + s.cost, 0);
    expect(cost('text', plan)).toBeGreaterThan(cost('image', plan));
    expect([counts('image'), counts('text'), counts('join')]).toEqual([1, 2, 1]);
  });

  it('fall back to a pipeline under auto when fewer stages are asked for than there are parts', () => {
    const { graph, shapes } = twoTower;
    const plan = planPartition(graph, shapes, { stages: 2 });
    expect(plan.strategy).toBe('pipeline');
    expect(plan.stages).toHaveLength(2);
    expectConsistent(graph, plan);
    expect(() => planPartition(graph, shapes, { stages: 2, strategy: 'component' })).toThrow(
      expect.objectContaining({
        reason: 'too_few_stages',
        message: expect.stringMatching(/runs 3 parts apart \(image, text, join\)/),
      }),
    );
  });
});

describe('auto', () => {
  it('falls back to a pipeline where the branches cannot be run apart within the budget', async () => {
    const { graph, shapes } = await sample('two-tower');
    const budgetBytes = 0.3e6;
    // Apart, the image tower alone needs two stages under 0.3 MB: four in all.
    expect(planPartition(graph, shapes, { budgetBytes }).stages).toHaveLength(4);
    expect(() =>
      planPartition(graph, shapes, { budgetBytes, stages: 3, strategy: 'component' }),
    ).toThrow(expect.objectContaining({ reason: 'budget_exceeded' }));
    const plan = planPartition(graph, shapes, { budgetBytes, stages: 3 });
    expect(plan.strategy).toBe('pipeline');
    expect(plan.stages).toHaveLength(3);
    expect(plan.totals.largestStageBytes).toBeLessThanOrEqual(budgetBytes);
  });
});

describe('a memory budget per stage', () => {
  let stack: { graph: ModelGraph; shapes: ValueShapes };
  beforeAll(async () => {
    stack = await sample('transformer-stack');
  });

  it('smaller than the model but larger than its largest layer gives the fewest stages that each fit', () => {
    const { graph, shapes } = stack;
    const budgetBytes = 8e6;
    const whole = planPartition(graph, shapes);
    expect(whole.totals.largestStageBytes).toBeGreaterThan(budgetBytes);
    const plan = planPartition(graph, shapes, { budgetBytes });
    expectConsistent(graph, plan);
    expect(plan.budgetBytes).toBe(budgetBytes);
    for (const stage of plan.stages) {
      expect(stage.weightBytes + stage.activationBytes).toBeLessThanOrEqual(budgetBytes);
    }
    expect(plan.totals.largestStageBytes).toBeLessThanOrEqual(budgetBytes);
    // Fewest: one stage less cannot fit.
    expect(() =>
      planPartition(graph, shapes, { budgetBytes, stages: plan.stages.length - 1 }),
    ).toThrow(
      expect.objectContaining({
        reason: 'budget_exceeded',
        message: `${plan.stages.length - 1} stage(s) cannot each fit 8.00 MB: at least ${plan.stages.length} are needed`,
      }),
    );
    // More stages than the fewest, all within the budget.
    const more = planPartition(graph, shapes, { budgetBytes, stages: plan.stages.length + 2 });
    expect(more.stages).toHaveLength(plan.stages.length + 2);
    expect(more.totals.largestStageBytes).toBeLessThanOrEqual(budgetBytes);
  });

  it('smaller than one layer needs is refused, naming the layer, its op and its size', () => {
    const { graph, shapes } = stack;
    // block0's feed-forward input MatMul: a 256×1024 float weight (1.05 MB) and 0.08 MB of
    // activations (its [1, 16, 256] input and [1, 16, 1024] output).
    let error: unknown;
    try {
      planPartition(graph, shapes, { budgetBytes: 1e6 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PartitionError);
    expect((error as PartitionError).reason).toBe('budget_too_small');
    expect((error as PartitionError).message).toBe(
      "the budget of 1.00 MB is less than node 'matmul_15' (MatMul) needs on its own: 1.13 MB " +
        '(1.05 MB of weights [block0.feed_forward.in.weight], 0.08 MB of activations)',
    );
  });
});

const f32 = (...dims: number[]): ValueShape => ({ type: 'float32', dims });

/**
 * x [1, 100] → Relu → a [1, 100] → Expand → wide [100, 100] → ReduceMax → narrow [100] →
 * Relu → y [100]: a cut after the Expand passes 40 000 bytes, one after a Relu or the
 * ReduceMax 400.
 */
function wideChain(): { graph: ModelGraph; shapes: ValueShapes } {
  const bytes = handMadeModel({
    inputs: [{ name: 'x', dims: [1, 100] }],
    outputs: [{ name: 'y', dims: [100] }],
    initializers: [{ name: 'to', dims: [2], values: [100, 100], int64: true }],
    nodes: [
      { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['a'] },
      { name: 'expand', op: 'Expand', inputs: ['a', 'to'], outputs: ['wide'] },
      {
        name: 'reduce',
        op: 'ReduceMax',
        inputs: ['wide'],
        outputs: ['narrow'],
        attributes: [
          { name: 'axes', type: pkg.onnx.AttributeProto.AttributeType.INTS, ints: [0] },
          { name: 'keepdims', type: pkg.onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      },
      { name: 'last', op: 'Relu', inputs: ['narrow'], outputs: ['y'] },
    ],
  });
  const shapes = new Map([
    ['x', f32(1, 100)],
    ['a', f32(1, 100)],
    ['wide', f32(100, 100)],
    ['narrow', f32(100)],
    ['y', f32(100)],
  ]);
  return { graph: readModelGraph(bytes), shapes };
}

describe('pipeline cuts', () => {
  it('balance cost first: the balanced cut wins when the cheaper one is over 5 % less balanced', () => {
    const { graph, shapes } = wideChain();
    // Halves at the Expand (20 | 12); after the ReduceMax 22 | 10 is 10 % worse.
    const nodeTimesMs = { relu: 10, expand: 10, reduce: 2, last: 10 };
    const plan = planPartition(graph, shapes, { stages: 2, nodeTimesMs, handlingFlopsPerByte: 0 });
    expect(plan.costUnit).toBe('ms');
    expect(plan.stages.map((stage) => stage.cost)).toEqual([20, 12]);
    expect(plan.cuts).toEqual([
      {
        from: 0,
        to: 1,
        bytes: 40_000,
        tensors: [{ name: 'wide', type: 'float32', dims: [100, 100], bytes: 40_000 }],
      },
    ]);
  });

  it('among cuts within 5 % of the best balance, take the one fewest bytes cross', () => {
    const { graph, shapes } = wideChain();
    // At the Expand 20 | 11; after the ReduceMax 20.5 | 10.5, 2.5 % worse, passing 400 bytes.
    const nodeTimesMs = { relu: 10, expand: 10, reduce: 0.5, last: 10.5 };
    const plan = planPartition(graph, shapes, { stages: 2, nodeTimesMs, handlingFlopsPerByte: 0 });
    expect(plan.stages.map((stage) => stage.cost)).toEqual([20.5, 10.5]);
    expect(plan.cuts[0]!.tensors.map((t) => t.name)).toEqual(['narrow']);
    expect(plan.totals.crossingBytes).toBe(400);
  });

  it('count what handing bytes on costs both stages of a cut', () => {
    const { graph, shapes } = wideChain();
    // As in the first case, the Expand halves the compute (20 | 12) and after the ReduceMax it
    // is 22 | 10. The nodes ran 20 200 FLOPs in 32 ms, so at 1 FLOP a byte the 40 000 bytes
    // the Expand passes add 63 ms to both its sides, the 400 after the ReduceMax 0.6.
    const nodeTimesMs = { relu: 10, expand: 10, reduce: 2, last: 10 };
    const handlingFlopsPerByte = 1;
    const plan = planPartition(graph, shapes, { stages: 2, nodeTimesMs, handlingFlopsPerByte });
    expect(plan.stages.map((stage) => stage.cost)).toEqual([22, 10]);
    expect(plan.cuts[0]!.tensors.map((t) => t.name)).toEqual(['narrow']);
  });

  it('cut the transformer stack where one 16 KiB activation crosses, not mid-feed-forward', async () => {
    const { graph, shapes } = await sample('transformer-stack');
    const byCompute = planPartition(graph, shapes, { stages: 3, handlingFlopsPerByte: 0 });
    const plan = planPartition(graph, shapes, { stages: 3 });
    expectConsistent(graph, plan);
    // Ten blocks in three: compute alone cuts inside a feed-forward layer (64 KiB more cross).
    expect(byCompute.totals.crossingBytes).toBe(16_384 + 81_920);
    expect(plan.cuts.map((cut) => cut.bytes)).toEqual([16_384, 16_384]);
  });

  it('costs nodes without a measured time at the rate the timed ones ran', () => {
    const { graph, shapes } = wideChain();
    const estimated = planPartition(graph, shapes, { stages: 1 }).stages[0]!.costFlops;
    // Only the Expand timed: 10 000 elements in 1 ms; the rest cost their elements at that rate.
    const plan = planPartition(graph, shapes, { stages: 1, nodeTimesMs: { expand: 1 } });
    expect(plan.stages[0]!.costFlops).toBe(estimated);
    expect(plan.stages[0]!.cost).toBeCloseTo(estimated / 10_000, 9);
  });

  it('count a stage’s activations as its inputs plus the peak of what it holds while it runs', () => {
    const { graph, shapes } = wideChain();
    const [first, second] = planPartition(graph, shapes, {
      stages: 2,
      handlingFlopsPerByte: 0,
    }).stages;
    expect(first!.nodes).toEqual(['relu', 'expand']);
    // x (400) held throughout; at the Expand: a (400) still read, wide (40 000) written.
    expect(first!.activationBytes).toBe(400 + 400 + 40_000);
    // wide (40 000) held throughout; narrow (400) then y (400), never both needed beyond a node.
    expect(second!.activationBytes).toBe(40_000 + 800);
    // The int64 shape the Expand reads is a weight: 2 × 8 bytes.
    expect(first!.weightBytes).toBe(16);
  });

  it('hand a value to every later stage that reads it, and only what crosses', async () => {
    const { graph, shapes } = await sample('transformer-block');
    const plan = planPartition(graph, shapes, { stages: 3, handlingFlopsPerByte: 0 });
    expectConsistent(graph, plan);
    // The attention block's normalized output feeds the feed-forward layer and its residual.
    expect(plan.cuts.map((cut) => [cut.from, cut.to])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(plan.stages[2]!.dependsOn).toEqual([0, 1]);
  });

  it('pass only float32, int32 and int64 tensors between stages', () => {
    const shapes = new Map<string, ValueShape>([
      ['x', { type: 'float64', dims: [2] }],
      ['y', { type: 'float64', dims: [2] }],
    ]);
    const graph = readModelGraph(
      handMadeModel({
        inputs: [{ name: 'x', elemType: DataType.DOUBLE, dims: [2] }],
        outputs: [{ name: 'y', elemType: DataType.DOUBLE, dims: [2] }],
        nodes: [{ name: 'neg', op: 'Neg', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    expect(() => planPartition(graph, shapes)).toThrow(
      expect.objectContaining({
        reason: 'unsupported_type',
        message: expect.stringMatching(/value 'x' \(float64\) would be an input of stage 0/),
      }),
    );
  });
});
