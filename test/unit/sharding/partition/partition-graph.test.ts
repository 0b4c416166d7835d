import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildSampleModel } from '../../../../models/index.js';
import {
  declaredShapes,
  planPartition,
  readModelGraph,
  resolveShapes,
  stageModels,
} from '../../../../sharding/partition/index.js';
import { handMadeGraph, handMadeModel } from '../../../support/hand-made-model.js';
import {
  initializerUse,
  runModel,
  runStages,
  seededFeeds,
  tensorBytes,
} from '../../../support/stage-chain.js';

const { onnx } = pkg;
const { AttributeType } = onnx.AttributeProto;

describe('reading a model graph', () => {
  it('orders nodes listed out of order, and names the unnamed ones uniquely', () => {
    const graph = readModelGraph(
      handMadeModel({
        inputs: [{ name: 'x', dims: [2] }],
        outputs: [{ name: 'z', dims: [2] }],
        nodes: [
          { op: 'Neg', inputs: ['y'], outputs: ['z'] },
          { name: 'same', op: 'Relu', inputs: ['w'], outputs: ['y'] },
          { name: 'same', op: 'Abs', inputs: ['x'], outputs: ['w'] },
        ],
      }),
    );
    expect(graph.nodes.map((node) => [node.name, node.opType])).toEqual([
      ['Abs_2', 'Abs'],
      ['same', 'Relu'],
      ['Neg_0', 'Neg'],
    ]);
  });

  it('gives stage models the shape of every value, so that they need no measuring', async () => {
    const model = buildSampleModel('transformer-block', 2);
    const graph = readModelGraph(model.bytes);
    const resolved = await resolveShapes(graph, model.inputs);
    expect(resolved.measured).toBe(true);
    const plan = planPartition(graph, resolved.shapes, { stages: 2 });
    const [first] = stageModels(graph, plan, resolved.shapes);
    const stage = readModelGraph(first!);
    expect(declaredShapes(stage).missing).toEqual([]);
    const again = await resolveShapes(stage, model.inputs);
    expect(again.measured).toBe(false);
    expect(again.shapes.get(plan.stages[0]!.outputs[0]!.name)).toEqual({
      type: 'float32',
      dims: [1, 16, 64],
    });
    const decoded = onnx.ModelProto.decode(first!);
    expect(decoded.opsetImport).toEqual(onnx.ModelProto.decode(model.bytes).opsetImport);
    expect(Number(decoded.irVersion)).toBe(8);
  });
});

/**
 * x → Relu → r; x → ReduceSum → s → Greater(s, 0) → c (bool); If(c) then r·w_then else
 * r + w_else. The branches read r and the weights from the main graph, not as inputs.
 */
function ifModel(): Uint8Array {
  const x4 = { dims: [1, 4] };
  const branch = (name: string, op: string, weight: string) =>
    handMadeGraph(
      {
        inputs: [],
        outputs: [{ name: `${name}_out`, ...x4 }],
        nodes: [{ op, inputs: ['r', weight], outputs: [`${name}_out`] }],
      },
      name,
    );
  return handMadeModel({
    inputs: [{ name: 'x', ...x4 }],
    outputs: [{ name: 'y', ...x4 }],
    initializers: [
      { name: 'zero', dims: [], values: [0] },
      { name: 'w_then', dims: [4], values: [1, 2, 3, 4] },
      { name: 'w_else', dims: [4], values: [-1, -2, -3, -4] },
    ],
    nodes: [
      { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { name: 'sum', op: 'ReduceSum', inputs: ['x'], outputs: ['s'] },
      { name: 'greater', op: 'Greater', inputs: ['s', 'zero'], outputs: ['c'] },
      {
        name: 'choose',
        op: 'If',
        inputs: ['c'],
        outputs: ['y'],
        attributes: [
          { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', 'Mul', 'w_then') },
          { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', 'Add', 'w_else') },
        ],
      },
    ],
  });
}

describe('a node with subgraphs (If)', () => {
  it('is cut with the values and weights its branches read from the main graph', async () => {
    const bytes = ifModel();
    const graph = readModelGraph(bytes);
    expect(graph.nodes.find((node) => node.opType === 'If')!.inputs).toEqual([
      'c',
      'r',
      'w_then',
      'w_else',
    ]);
    const inputs = { x: { type: 'float32' as const, dims: [1, 4], seed: 9 } };
    const { shapes } = await resolveShapes(graph, inputs);
    const feeds = seededFeeds(inputs);
    const whole = await runModel(bytes, feeds, 'disabled');
    const weights = new Set(graph.initializers.keys());
    for (const stages of [2, 3]) {
      const plan = planPartition(graph, shapes, { stages, handlingFlopsPerByte: 0 });
      // The bool condition never crosses: the Greater stays with the If.
      const last = plan.stages[plan.stages.length - 1]!;
      expect(last.nodes).toEqual(['greater', 'choose']);
      expect(last.inputs.map((input) => input.name)).toContain('r');
      const models = stageModels(graph, plan, shapes);
      expect(initializerUse(models[models.length - 1]!, weights)).toEqual({
        held: ['w_else', 'w_then', 'zero'],
        read: ['w_else', 'w_then', 'zero'],
      });
      const values = await runStages(models, plan, feeds, 'disabled');
      expect(tensorBytes(values.y!).equals(tensorBytes(whole.y!))).toBe(true);
    }
    expect(() => planPartition(graph, shapes, { stages: 4 })).toThrow(
      expect.objectContaining({ reason: 'no_valid_cut' }),
    );
  });
});

describe('value types', () => {
  it('reads int64 initializers as 8 bytes an element', () => {
    const graph = readModelGraph(
      handMadeModel({
        inputs: [{ name: 'x', dims: [2, 3] }],
        outputs: [{ name: 'y', dims: [3, 2] }],
        initializers: [{ name: 'shape', dims: [2], values: [3, 2], int64: true }],
        nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
      }),
    );
    expect(graph.initializers.get('shape')).toEqual({
      name: 'shape',
      type: 'int64',
      dims: [2],
      bytes: 16,
    });
  });
});
