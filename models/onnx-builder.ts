import pkg from 'onnx-proto';
import type { TensorType } from '../protocol/index.js';
import { tensorBytes } from '../tensors/index.js';

const { onnx } = pkg;

/** A float32 tensor held in memory: an initializer's value, or a weight a test reads back. */
export interface FloatTensor {
  dims: number[];
  data: Float32Array;
}

/** A node attribute; build one with `attribute.int`, `.ints` or `.float`. */
export type Attribute = Omit<pkg.onnx.IAttributeProto, 'name'>;

export const attribute = {
  int: (i: number): Attribute => ({ type: onnx.AttributeProto.AttributeType.INT, i }),
  ints: (ints: number[]): Attribute => ({ type: onnx.AttributeProto.AttributeType.INTS, ints }),
  float: (f: number): Attribute => ({ type: onnx.AttributeProto.AttributeType.FLOAT, f }),
};

const OPSET = 17;
const IR_VERSION = 8;

const ELEMENT_TYPES: Record<TensorType, pkg.onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

function valueInfo(name: string, dims: number[], type: TensorType): pkg.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[type],
        shape: { dim: dims.map((dimValue) => ({ dimValue })) },
      },
    },
  };
}

/**
 * An ONNX graph (opset 17, IR version 8) of float32 weights built node by node. Values are named by
 * strings: `op` returns the name of the value it produces, so calls nest like expressions.
 */
export class GraphBuilder {
  private readonly nodes: pkg.onnx.INodeProto[] = [];
  private readonly inputs: pkg.onnx.IValueInfoProto[] = [];
  private readonly outputs: pkg.onnx.IValueInfoProto[] = [];
  private readonly initializers = new Map<string, FloatTensor>();

  input(name: string, dims: number[], type: TensorType = 'float32'): string {
    this.inputs.push(valueInfo(name, dims, type));
    return name;
  }

  initializer(name: string, tensor: FloatTensor): string {
    if (this.initializers.has(name)) throw new Error(`initializer '${name}' is defined twice`);
    this.initializers.set(name, tensor);
    return name;
  }

  scalar(name: string, value: number): string {
    return this.initializer(name, { dims: [], data: Float32Array.of(value) });
  }

  /** Adds a node with one output, named `outputName` or after the op and its position. */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, Attribute> = {},
    outputName = `${opType.toLowerCase()}_${this.nodes.length}`,
  ): string {
    this.nodes.push({
      name: outputName,
      opType,
      input: inputs,
      output: [outputName],
      attribute: Object.entries(attributes).map(([name, value]) => ({ name, ...value })),
    });
    return outputName;
  }

  output(name: string, dims: number[]): void {
    this.outputs.push(valueInfo(name, dims, 'float32'));
  }

  /** The initializers by name, exactly as serialized. */
  weights(): Record<string, FloatTensor> {
    return Object.fromEntries(this.initializers);
  }

  /**
   * The serialized ModelProto. Initializers are raw little-endian bytes (`raw_data`), which
   * encode and decode in one copy where `float_data` goes number by number.
   */
  serialize(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'dtf',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: [...this.initializers].map(([name, { dims, data }]) => ({
          name,
          dims,
          dataType: onnx.TensorProto.DataType.FLOAT,
          rawData: tensorBytes(data),
        })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Why `bytes` are not a ModelProto with a graph, or undefined when they are one. */
export function modelProtoProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  let model: pkg.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    return `the bytes are not a protobuf ModelProto (${(error as Error).message})`;
  }
  if (!model.graph) return 'the ModelProto has no graph';
  return undefined;
}
