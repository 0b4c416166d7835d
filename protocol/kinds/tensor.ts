import { z } from 'zod';

export const TensorType = z.enum(['float32', 'int32', 'int64']);
export type TensorType = z.infer<typeof TensorType>;

const dims = z.array(z.number().int().nonnegative()).max(8);

/** A model input: literal values, or values generated from a seed (the same on every worker). */
export const TensorInput = z
  .object({
    type: TensorType.default('float32'),
    dims,
    data: z.array(z.number()).optional(),
    seed: z.number().int().optional(),
  })
  .strict()
  .refine((t) => (t.data === undefined) !== (t.seed === undefined), {
    message: 'give exactly one of data or seed',
  })
  .refine((t) => t.data === undefined || t.data.length === elementCount(t.dims), {
    message: 'data length must equal the product of dims',
  });
export type TensorInput = z.infer<typeof TensorInput>;

/** A model output: statistics and a hash always, the values themselves when small enough. */
export const TensorSummary = z.object({
  type: z.string(),
  dims,
  /** SHA-256 of the little-endian element bytes. */
  sha256: z.string(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  data: z.array(z.number()).optional(),
});
export type TensorSummary = z.infer<typeof TensorSummary>;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Bytes of one element of each tensor type, as `tensorBytes` lays them out. */
export const BYTES_PER_ELEMENT: Readonly<Record<TensorType, number>> = {
  float32: 4,
  int32: 4,
  int64: 8,
};

/** Bytes of a tensor's little-endian element data. */
export function tensorByteLength(type: TensorType, dims: readonly number[]): number {
  return elementCount(dims) * BYTES_PER_ELEMENT[type];
}
