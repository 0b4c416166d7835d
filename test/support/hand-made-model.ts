import pkg from 'onnx-proto';

const { onnx } = pkg;
const { DataType } = onnx.TensorProto;

export interface HandMadeValue {
  name: string;
  /** ONNX TensorProto.DataType; FLOAT when absent. */
  elemType?: number;
  dims: number[];
}

export interface HandMadeNode {
  name?: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: pkg.onnx.IAttributeProto[];
}

export interface HandMadeModel {
  inputs: HandMadeValue[];
  outputs: HandMadeValue[];
  nodes: HandMadeNode[];
  /** Float initializers, or int64 ones where `int64` is set. */
  initializers?: { name: string; dims: number[]; values: number[]; int64?: boolean }[];
}

export function valueInfo({ name, elemType = DataType.FLOAT, dims }: HandMadeValue) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } },
  };
}

export function handMadeGraph(model: HandMadeModel, name = 'hand-made'): pkg.onnx.IGraphProto {
  return {
    name,
    input: model.inputs.map(valueInfo),
    output: model.outputs.map(valueInfo),
    node: model.nodes.map(({ name: nodeName, op, inputs, outputs, attributes = [] }) => ({
      ...(nodeName === undefined ? {} : { name: nodeName }),
      opType: op,
      input: inputs,
      output: outputs,
      attribute: attributes,
    })),
    initializer: (model.initializers ?? []).map(({ name: tensorName, dims, values, int64 }) =>
      int64
        ? { name: tensorName, dims, dataType: DataType.INT64, int64Data: values }
        : { name: tensorName, dims, dataType: DataType.FLOAT, floatData: values },
    ),
  };
}

/**
 * A serialized ModelProto (opset 17) written field by field, as another exporter (or a broken
 * one) might: nothing checks that it makes sense.
 */
export function handMadeModel(model: HandMadeModel): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: handMadeGraph(model),
  }).finish();
}
