import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArtifactReplicator, MajorityUnreachable } from '../cluster/index.js';
import { ArtifactRefused, type ArtifactStore } from '../store/index.js';
import { sendRestError, writeJson } from './errors.js';

/**
 * Streams a request's body into the artifact store (in a cluster, acknowledged once a majority
 * of members has it) and answers `201` with the stored artifact (`200` when it was stored
 * already), or the refusal naming why. A failure of anything else rejects.
 */
export async function storeUpload(
  req: IncomingMessage,
  res: ServerResponse,
  store: { artifacts: ArtifactStore; replicator: ArtifactReplicator | undefined },
  options: Parameters<ArtifactStore['stage']>[1],
): Promise<void> {
  const { artifacts, replicator } = store;
  try {
    const staged = await artifacts.stage(req.iterator({ destroyOnReturn: false }), options);
    const stored = await (replicator === undefined
      ? artifacts.commit(staged)
      : replicator.replicate(staged));
    writeJson(res, stored.created ? 201 : 200, stored);
  } catch (error) {
    // Read the rest of a refused body, so that the client gets to read the answer.
    req.resume();
    if (error instanceof ArtifactRefused) {
      sendRestError(res, error.code, error.message);
    } else if (error instanceof MajorityUnreachable) {
      sendRestError(res, 'replication_failed', `artifact not stored: ${error.message}`);
    } else {
      throw error;
    }
  }
}

/** The upload's `Content-Length`, for the store to refuse a body too large before reading it. */
export function declaredLength(req: IncomingMessage): { declaredBytes?: number } {
  const declared = req.headers['content-length'];
  return declared === undefined ? {} : { declaredBytes: Number(declared) };
}
