import {
  type ArtifactRef,
  type LeaseRef,
  STAGE_OUTPUT_HEADERS,
  StoredArtifactReply,
  stageOutputPath,
} from '../protocol/index.js';
import type { WorkerIdentity } from './session.js';
import { unsharedBytes } from './unshared-bytes.js';

/** Where, and as whom, a worker uploads its stage outputs. */
export interface StageUploadTarget {
  /** The coordinator's HTTP base URL; '' for the origin a page came from. */
  baseUrl: string;
  token: string | undefined;
  identity: WorkerIdentity;
}

/**
 * Uploads an output activation of a shard-stage attempt (`PUT /api/attempts/…/outputs/:name`)
 * as the worker holding its lease; resolves with the ref the coordinator stored it under, or
 * rejects naming the coordinator's refusal.
 */
export async function uploadStageOutput(
  target: StageUploadTarget,
  lease: LeaseRef,
  name: string,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<ArtifactRef> {
  const { identity } = target;
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    [STAGE_OUTPUT_HEADERS.workerId]: identity.workerId,
    [STAGE_OUTPUT_HEADERS.leaseToken]: String(lease.leaseToken),
  };
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  if (identity.secret !== undefined) headers[STAGE_OUTPUT_HEADERS.workerSecret] = identity.secret;
  const path = stageOutputPath(lease.taskId, lease.attempt, name);
  const response = await fetch(`${target.baseUrl}${path}`, {
    method: 'PUT',
    headers,
    body: unsharedBytes(bytes),
    signal,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} ${text}`);
  const reply = StoredArtifactReply.safeParse(JSON.parse(text));
  if (!reply.success) throw new Error(`the coordinator answered ${text.slice(0, 200)}`);
  return reply.data.ref;
}
