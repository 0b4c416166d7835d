import type { NextFunction, Request, Response } from 'express';
import type { ArtifactReplicator } from '../cluster/artifact-replicator.js';
import { MajorityUnreachable } from '../cluster/majority-ack.js';
import { ArtifactRefused, type ArtifactStore } from '../store/index.js';
import { sendRestError } from './errors.js';

/**
 * Streams a request's body into the artifact store (in a cluster, acknowledged once a majority
 * of members has it) and answers `201` with the stored artifact (`200` when it was stored
 * already), or the refusal naming why.
 */
export function storeUpload(
  req: Request,
  res: Response,
  next: NextFunction,
  store: { artifacts: ArtifactStore; replicator: ArtifactReplicator | undefined },
  options: { declaredBytes?: number; exactBytes?: number },
): void {
  const { artifacts, replicator } = store;
  artifacts
    .stage(req.iterator({ destroyOnReturn: false }), options)
    .then((staged) =>
      replicator === undefined ? artifacts.commit(staged) : replicator.replicate(staged),
    )
    .then(
      (stored) => res.status(stored.created ? 201 : 200).json(stored),
      (error: unknown) => {
        // Read the rest of a refused body, so that the client gets to read the answer.
        req.resume();
        if (error instanceof ArtifactRefused) {
          sendRestError(res, error.code, error.message);
        } else if (error instanceof MajorityUnreachable) {
          sendRestError(res, 'replication_failed', `artifact not stored: ${error.message}`);
        } else {
          next(error);
        }
      },
    );
}
