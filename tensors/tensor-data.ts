import {
  elementCount,
  type TensorInput,
  type TensorType,
  tensorByteLength,
} from '../protocol/index.js';
import { seededRandom } from './seeded-random.js';

/** The typed array each tensor type is held in, on every worker. */
export type TensorData = Float32Array | Int32Array | BigInt64Array;

/**
 * The values of a model input. Seeded floats are uniform in [-1, 1); seeded integers are
 * uniform in [0, 100). Node and browser workers produce identical bytes for the same input.
 */
export function materializeTensor(input: TensorInput): TensorData {
  const count = elementCount(input.dims);
  const random = input.seed === undefined ? undefined : seededRandom(input.seed);
  const value = (i: number) => (random === undefined ? input.data![i]! : random());
  switch (input.type) {
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => (random ? value(i) * 2 - 1 : value(i)));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) =>
        random ? Math.floor(value(i) * 100) : value(i),
      );
    case 'int64':
      return BigInt64Array.from({ length: count }, (_, i) =>
        BigInt(random ? Math.floor(value(i) * 100) : Math.trunc(value(i))),
      );
  }
}

/** Little-endian bytes of the elements: what `TensorSummary.sha256` hashes. */
export function tensorBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The elements of a tensor from its little-endian bytes (what `tensorBytes` gives); throws,
 * naming both sizes, when the bytes are not exactly a tensor of that type and shape.
 */
export function tensorFromBytes(
  type: TensorType,
  dims: readonly number[],
  bytes: Uint8Array,
): TensorData {
  const expected = tensorByteLength(type, dims);
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${bytes.byteLength} bytes are not a ${type} [${dims.join(', ')}] tensor, which is ${expected} bytes`,
    );
  }
  // A typed array must start at a multiple of its element size: copy bytes that do not.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const count = elementCount(dims);
  switch (type) {
    case 'float32':
      return new Float32Array(aligned.buffer, aligned.byteOffset, count);
    case 'int32':
      return new Int32Array(aligned.buffer, aligned.byteOffset, count);
    case 'int64':
      return new BigInt64Array(aligned.buffer, aligned.byteOffset, count);
  }
}
