import pkg from 'onnx-proto';
import type { TensorInput } from '../../protocol/index.js';
import { materializeTensor } from '../../tensors/index.js';
import { isElementType } from './element-types.js';
import { PartitionError } from './errors.js';
import type { ModelGraph } from './model-graph.js';
import { declaredShapes, shapedValues, type ValueShape, type ValueShapes } from './value-shapes.js';

const { onnx } = pkg;

/**
 * Measures every value's shape by running the model once on onnxruntime-node with every node
 * output made a graph output, fed `inputs` (a sample model's seeded inputs, or those
 * `loadUserModel` derives from the declared shapes). The edge of the partitioner: the rest
 * takes shapes as data.
 */
export async function measureShapes(
  graph: ModelGraph,
  inputs: Readonly<Record<string, TensorInput>>,
): Promise<ValueShapes> {
  const unfed = graph.inputs.find((name) => !Object.hasOwn(inputs, name));
  if (unfed !== undefined) {
    throw new Error(
      `cannot measure the shapes of '${graph.name}': no value for its input '${unfed}'`,
    );
  }
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(everyValueAnOutput(graph), {
    executionProviders: ['cpu'],
  });
  try {
    const feeds = Object.fromEntries(
      graph.inputs.map((name) => {
        const input = inputs[name]!;
        return [name, new ort.Tensor(input.type, materializeTensor(input), input.dims)];
      }),
    );
    const results = await session.run(feeds);
    const shapes = new Map<string, ValueShape>();
    for (const name of shapedValues(graph)) {
      const source = Object.hasOwn(feeds, name) ? feeds : results;
      const tensor = Object.hasOwn(source, name) ? source[name] : undefined;
      shapes.set(name, measuredShape(name, tensor?.type, tensor?.dims));
    }
    return shapes;
  } finally {
    await session.release();
  }
}

function measuredShape(
  name: string,
  type: string | undefined,
  dims: readonly number[] | undefined,
): ValueShape {
  if (type === undefined || !isElementType(type) || dims === undefined) {
    throw new PartitionError(
      'unsupported_type',
      `value '${name}' is not a tensor of a known type (onnxruntime-node gave ${type ?? 'nothing'})`,
    );
  }
  return { type, dims: [...dims] };
}

/** The model with every node output a graph output, so one run reports them all. */
function everyValueAnOutput(graph: ModelGraph): Uint8Array {
  const model = onnx.ModelProto.create({ ...graph.model });
  const outputs = new Set(graph.outputs);
  const added = graph.nodes
    .flatMap((node) => node.outputs)
    .filter((name) => !outputs.has(name))
    .map((name) => ({ name }));
  model.graph = onnx.GraphProto.create({
    ...graph.model.graph,
    output: [...(graph.model.graph?.output ?? []), ...added],
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The shapes the model declares when it declares all of them, else measured ones (see
 * `measureShapes`); `measured` says which.
 */
export async function resolveShapes(
  graph: ModelGraph,
  inputs: Readonly<Record<string, TensorInput>>,
): Promise<{ shapes: ValueShapes; measured: boolean }> {
  const declared = declaredShapes(graph);
  if (declared.missing.length === 0) return { shapes: declared.shapes, measured: false };
  return { shapes: await measureShapes(graph, inputs), measured: true };
}
