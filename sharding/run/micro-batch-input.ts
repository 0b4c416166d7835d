import type { TensorInput } from '../../protocol/index.js';

/** Seeds of consecutive micro-batches lie this far apart, so that no two share a stream. */
const MICRO_BATCH_SEED_STRIDE = 7_919;

/**
 * The model input of one micro-batch: a seeded input gets a seed of its own per micro-batch (the
 * reference uses the same), literal values are the same in every micro-batch.
 */
export function microBatchInput(input: TensorInput, microBatch: number): TensorInput {
  if (input.seed === undefined) return input;
  return { ...input, seed: input.seed + MICRO_BATCH_SEED_STRIDE * microBatch };
}

export function microBatchInputs(
  inputs: Readonly<Record<string, TensorInput>>,
  microBatch: number,
): Record<string, TensorInput> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, input]) => [name, microBatchInput(input, microBatch)]),
  );
}
