import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  PartitionError,
  type PartitionErrorReason,
  planPartition,
  readModelGraph,
  type ValueShape,
} from '../../../../sharding/partition/index.js';
import { handMadeModel } from '../../../support/hand-made-model.js';

const { DataType } = pkg.onnx.TensorProto;

function partitionError(run: () => unknown): PartitionError {
  try {
    run();
  } catch (error) {
    if (error instanceof PartitionError) return error;
    throw error;
  }
  throw new Error('no PartitionError was thrown');
}

function expectRefused(run: () => unknown, reason: PartitionErrorReason, message: RegExp) {
  const error = partitionError(run);
  expect(error.reason).toBe(reason);
  expect(error.message).toMatch(message);
}

const x = { name: 'x', dims: [1, 4] };
const f32 = (...dims: number[]): ValueShape => ({ type: 'float32', dims });

/** x → Relu → r → Greater(r, zero) → mask (bool) → Where(mask, r, zero) → y. */
const maskModel = handMadeModel({
  inputs: [x],
  outputs: [{ name: 'y', dims: [1, 4] }],
  initializers: [{ name: 'zero', dims: [], values: [0] }],
  nodes: [
    { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['r'] },
    { name: 'greater', op: 'Greater', inputs: ['r', 'zero'], outputs: ['mask'] },
    { name: 'where', op: 'Where', inputs: ['mask', 'r', 'zero'], outputs: ['y'] },
  ],
});
const maskShapes = new Map<string, ValueShape>([
  ['x', f32(1, 4)],
  ['r', f32(1, 4)],
  ['mask', { type: 'bool', dims: [1, 4] }],
  ['y', f32(1, 4)],
]);

describe('a graph that cannot be cut as asked is refused, naming why, before anything runs', () => {
  it('refuses bytes that are not a ModelProto', () => {
    expectRefused(
      () => readModelGraph(new TextEncoder().encode('not protobuf at all')),
      'invalid_model',
      /not an ONNX model/,
    );
  });

  it('refuses more stages than the graph has nodes', () => {
    const graph = readModelGraph(maskModel);
    expectRefused(
      () => planPartition(graph, maskShapes, { stages: 4 }),
      'too_many_stages',
      /cannot cut 3 node\(s\) into 4 stages/,
    );
  });

  it('refuses a cycle, naming the nodes on it in the order data flows', () => {
    const cyclic = handMadeModel({
      inputs: [x],
      outputs: [{ name: 'out', dims: [1, 4] }],
      nodes: [
        { name: 'first', op: 'Relu', inputs: ['x'], outputs: ['out'] },
        { name: 'a', op: 'Add', inputs: ['x', 'c_out'], outputs: ['a_out'] },
        { name: 'b', op: 'Relu', inputs: ['a_out'], outputs: ['b_out'] },
        { name: 'c', op: 'Neg', inputs: ['b_out'], outputs: ['c_out'] },
      ],
    });
    expectRefused(
      () => readModelGraph(cyclic),
      'cycle',
      /cycle.*'a' \(Add\) → 'b' \(Relu\) → 'c' \(Neg\) → 'a' \(Add\)/,
    );
  });

  it('refuses a node reading an initializer the model does not have', () => {
    const missing = handMadeModel({
      inputs: [x],
      outputs: [{ name: 'y', dims: [1, 2] }],
      nodes: [{ name: 'fc', op: 'MatMul', inputs: ['x', 'fc.weight'], outputs: ['y'] }],
    });
    expectRefused(
      () => readModelGraph(missing),
      'missing_value',
      /node 'fc' \(MatMul\) reads 'fc.weight', which no node, graph input or initializer provides/,
    );
  });

  it('refuses a value produced twice', () => {
    const twice = handMadeModel({
      inputs: [x],
      outputs: [{ name: 'y', dims: [1, 4] }],
      nodes: [
        { name: 'one', op: 'Relu', inputs: ['x'], outputs: ['y'] },
        { name: 'two', op: 'Neg', inputs: ['x'], outputs: ['y'] },
      ],
    });
    expectRefused(() => readModelGraph(twice), 'duplicate_value', /value 'y'.*'two' \(Neg\)/);
  });

  it('refuses weights kept in an external file', () => {
    const external = pkg.onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ version: 17 }],
      graph: {
        name: 'external',
        input: [],
        output: [],
        initializer: [
          {
            name: 'w',
            dims: [4],
            dataType: DataType.FLOAT,
            dataLocation: pkg.onnx.TensorProto.DataLocation.EXTERNAL,
            externalData: [{ key: 'location', value: 'w.bin' }],
          },
        ],
      },
    }).finish();
    expectRefused(() => readModelGraph(external), 'unsupported_model', /'w'.*external file/);
  });

  it('refuses a cut that would pass a bool tensor between stages', () => {
    const graph = readModelGraph(maskModel);
    // Cutting after the Relu passes r; cutting after the Greater would pass the bool mask.
    expect(planPartition(graph, maskShapes, { stages: 2 }).cuts[0]!.tensors[0]!.name).toBe('r');
    expectRefused(
      () => planPartition(graph, maskShapes, { stages: 3 }),
      'no_valid_cut',
      /cannot cut the graph into 3 stages: at most 2 are possible/,
    );
  });

  it('refuses shapes that miss a value', () => {
    const graph = readModelGraph(maskModel);
    const partial = new Map([...maskShapes].filter(([name]) => name !== 'mask'));
    expectRefused(
      () => planPartition(graph, partial, { stages: 2 }),
      'missing_shape',
      /no shape for 1 value\(s\).*'mask'/,
    );
  });

  it('refuses a stage count, budget or node time that is no usable number', () => {
    const graph = readModelGraph(maskModel);
    expectRefused(
      () => planPartition(graph, maskShapes, { stages: 0 }),
      'invalid_options',
      /stage count/,
    );
    expectRefused(
      () => planPartition(graph, maskShapes, { budgetBytes: -1 }),
      'invalid_options',
      /budget/,
    );
    expectRefused(
      () => planPartition(graph, maskShapes, { nodeTimesMs: { nosuch: 1 } }),
      'invalid_options',
      /node 'nosuch', which the graph does not have/,
    );
    expectRefused(
      () => planPartition(graph, maskShapes, { nodeTimesMs: { relu: Number.NaN } }),
      'invalid_options',
      /time of node 'relu'/,
    );
  });

  it('refuses a component plan of a graph without independent branches', () => {
    const graph = readModelGraph(maskModel);
    expectRefused(
      () => planPartition(graph, maskShapes, { strategy: 'component' }),
      'no_branches',
      /no independent branches.*its inputs: x/,
    );
  });
});
