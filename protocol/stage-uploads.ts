import { z } from 'zod';
import { ArtifactRef } from './kinds/model.js';

/**
 * `PUT /api/attempts/:taskId/:attempt/outputs/:name` (worker token): a shard-stage attempt's
 * output activation, its little-endian element bytes as the body, exactly as many as the
 * output's declared type and shape make. The worker names itself and its lease in these
 * headers; the coordinator takes the body only for a declared output of a live lease that
 * worker holds.
 */
export const STAGE_OUTPUT_HEADERS = {
  workerId: 'x-dtf-worker-id',
  /** The secret issued to the worker at its first registration. */
  workerSecret: 'x-dtf-worker-secret',
  leaseToken: 'x-dtf-lease-token',
} as const;

/** The path an attempt's output `name` is uploaded to. */
export function stageOutputPath(taskId: string, attempt: number, name: string): string {
  return `/api/attempts/${encodeURIComponent(taskId)}/${attempt}/outputs/${encodeURIComponent(name)}`;
}

/** The answer to an artifact upload (`PUT /api/artifacts`, or a stage's output). */
export const StoredArtifactReply = z.object({
  ref: ArtifactRef,
  size: z.number().int().positive(),
  /** False when the store had it already. */
  created: z.boolean(),
});
export type StoredArtifactReply = z.infer<typeof StoredArtifactReply>;
