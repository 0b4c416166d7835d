import { elementCount, type TensorType } from '../../protocol/index.js';

/** A tensor element type, named as onnxruntime names it. */
export type ElementType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'complex64'
  | 'complex128'
  | 'bfloat16';

/** Indexed by ONNX's TensorProto.DataType (1 = FLOAT … 16 = BFLOAT16). */
const BY_DATA_TYPE: readonly (ElementType | undefined)[] = [
  undefined,
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
];

const BYTES: Readonly<Record<ElementType, number | undefined>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  int64: 8,
  // Strings have no fixed size.
  string: undefined,
  bool: 1,
  float16: 2,
  float64: 8,
  uint32: 4,
  uint64: 8,
  complex64: 8,
  complex128: 16,
  bfloat16: 2,
};

/** The element type of an ONNX data type number, or undefined for one not listed here. */
export function elementTypeOf(dataType: number): ElementType | undefined {
  return BY_DATA_TYPE[dataType];
}

export function isElementType(name: string): name is ElementType {
  return (BY_DATA_TYPE as readonly (string | undefined)[]).includes(name);
}

/** The ONNX data type number of an element type. */
export function dataTypeOf(type: ElementType): number {
  return BY_DATA_TYPE.indexOf(type);
}

/** Bytes of a tensor of `dims`, or undefined when its elements have no fixed size. */
export function tensorByteSize(type: ElementType, dims: readonly number[]): number | undefined {
  const size = BYTES[type];
  return size === undefined ? undefined : size * elementCount(dims);
}

/** The types stages exchange: those every DTF worker holds and sends (protocol TensorType). */
export function isExchangeable(type: ElementType): type is TensorType {
  return type === 'float32' || type === 'int32' || type === 'int64';
}
