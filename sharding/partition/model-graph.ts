import pkg from 'onnx-proto';
import { type ElementType, elementTypeOf, tensorByteSize } from './element-types.js';
import { PartitionError } from './errors.js';
import { outerScopeReads } from './subgraph-references.js';
import { topologicalOrder } from './topological-order.js';

const { onnx } = pkg;

/** A weight stored in the model. */
export interface InitializerInfo {
  name: string;
  type: ElementType;
  dims: number[];
  bytes: number;
}

/** One node of the graph. */
export interface GraphNode {
  /**
   * Unique in the graph: the node's own name, or `<opType>_<position in the file>` for a node
   * without one or with one an earlier node has.
   */
  name: string;
  opType: string;
  domain: string;
  /**
   * The values it reads: its inputs (optional ones left empty are left out), then the values
   * of the graph its subgraphs read (If's branches, Loop's and Scan's bodies).
   */
  inputs: string[];
  outputs: string[];
  /** The node as the model holds it, copied into the stage model that runs it. */
  proto: pkg.onnx.INodeProto;
}

/** An ONNX model's main graph, read for partitioning. */
export interface ModelGraph {
  name: string;
  /** In topological order. */
  nodes: readonly GraphNode[];
  /** The graph inputs a caller feeds (initializers some files list as inputs too left out). */
  inputs: readonly string[];
  outputs: readonly string[];
  initializers: ReadonlyMap<string, InitializerInfo>;
  /** The decoded model: stage models keep its opsets, IR version and initializer tensors. */
  model: pkg.onnx.ModelProto;
}

function decodeModel(bytes: Uint8Array): pkg.onnx.ModelProto & { graph: pkg.onnx.IGraphProto } {
  let model: pkg.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new PartitionError(
      'invalid_model',
      `not an ONNX model: the bytes are not a protobuf ModelProto (${(error as Error).message})`,
    );
  }
  if (!model.graph) throw new PartitionError('invalid_model', 'not an ONNX model: it has no graph');
  return model as pkg.onnx.ModelProto & { graph: pkg.onnx.IGraphProto };
}

function readInitializer(tensor: pkg.onnx.ITensorProto): InitializerInfo {
  const name = tensor.name ?? '';
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new PartitionError(
      'unsupported_model',
      `initializer '${name}' keeps its data in an external file; save the model with its weights inside`,
    );
  }
  const type = elementTypeOf(tensor.dataType ?? 0);
  if (type === undefined) {
    throw new PartitionError(
      'unsupported_model',
      `initializer '${name}' has ONNX data type ${tensor.dataType}, which the partitioner does not know`,
    );
  }
  const dims = (tensor.dims ?? []).map(Number);
  const bytes =
    tensorByteSize(type, dims) ??
    (tensor.stringData ?? []).reduce((sum, text) => sum + text.byteLength, 0);
  return { name, type, dims, bytes };
}

/** Names nodes uniquely, in file order. */
function nodeNames(protos: readonly pkg.onnx.INodeProto[]): string[] {
  const taken = new Set<string>();
  return protos.map((proto, i) => {
    let name = proto.name || `${proto.opType}_${i}`;
    if (taken.has(name)) name = `${proto.opType}_${i}`;
    for (let suffix = 2; taken.has(name); suffix++) name = `${proto.opType}_${i}_${suffix}`;
    taken.add(name);
    return name;
  });
}

/** Every value has one source: a graph input, an initializer or one node's output. */
function checkSources(
  nodes: readonly GraphNode[],
  inputs: readonly string[],
  initializers: ReadonlyMap<string, InitializerInfo>,
): void {
  const source = new Map<string, string>();
  for (const name of inputs) source.set(name, 'a graph input');
  for (const name of initializers.keys()) source.set(name, 'an initializer');
  for (const node of nodes) {
    for (const output of node.outputs) {
      const earlier = source.get(output);
      if (earlier !== undefined) {
        throw new PartitionError(
          'duplicate_value',
          `value '${output}' is produced by node '${node.name}' (${node.opType}) and is also ${earlier}`,
        );
      }
      source.set(output, `the output of node '${node.name}' (${node.opType})`);
    }
  }
  for (const node of nodes) {
    const missing = node.inputs.find((input) => !source.has(input));
    if (missing !== undefined) {
      throw new PartitionError(
        'missing_value',
        `node '${node.name}' (${node.opType}) reads '${missing}', which no node, graph input or initializer provides (a missing initializer?)`,
      );
    }
  }
}

/**
 * Reads a serialized ModelProto into its graph: nodes in topological order, graph inputs and
 * outputs, initializers with their sizes. Throws a PartitionError when the model cannot be
 * cut: not a model, a cycle, a value read but provided by nothing, a value produced twice,
 * weights in external files, a graph output no node computes.
 */
export function readModelGraph(bytes: Uint8Array): ModelGraph {
  const model = decodeModel(bytes);
  const { graph } = model;
  if ((graph.sparseInitializer ?? []).length > 0) {
    throw new PartitionError(
      'unsupported_model',
      'the graph has sparse initializers, which the partitioner does not read',
    );
  }
  const initializers = new Map(
    (graph.initializer ?? []).map((tensor) => {
      const info = readInitializer(tensor);
      return [info.name, info] as const;
    }),
  );
  const inputs = (graph.input ?? [])
    .map((value) => value.name ?? '')
    .filter((name) => !initializers.has(name));
  const protos = graph.node ?? [];
  const names = nodeNames(protos);
  const fileNodes: GraphNode[] = protos.map((proto, i) => ({
    name: names[i]!,
    opType: proto.opType ?? '',
    domain: proto.domain ?? '',
    inputs: [
      ...new Set([...(proto.input ?? []).filter((name) => name !== ''), ...outerScopeReads(proto)]),
    ],
    outputs: (proto.output ?? []).filter((name) => name !== ''),
    proto,
  }));
  checkSources(fileNodes, inputs, initializers);
  const nodes = topologicalOrder(fileNodes).map((i) => fileNodes[i]!);
  const produced = new Set(nodes.flatMap((node) => node.outputs));
  const outputs = (graph.output ?? []).map((value) => value.name ?? '');
  const notComputed = outputs.find((name) => !produced.has(name));
  if (notComputed !== undefined) {
    throw new PartitionError(
      'unsupported_model',
      `graph output '${notComputed}' is not computed by any node (it is a graph input or an initializer), so no stage would produce it`,
    );
  }
  return { name: graph.name ?? '', nodes, inputs, outputs, initializers, model };
}
