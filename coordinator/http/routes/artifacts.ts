import { type NextFunction, type Response, Router } from 'express';
import type { Credentials } from '../../auth/index.js';
import type { ArtifactReplicator } from '../../cluster/artifact-replicator.js';
import { MajorityUnreachable } from '../../cluster/majority-ack.js';
import { ArtifactRefused, type ArtifactStore, isArtifactHex } from '../../store/index.js';
import { requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';

/**
 * `PUT /api/artifacts` streams a file to disk under its hash (in a cluster, acknowledged once
 * a majority of members has it); `GET /api/artifacts/:sha256` serves it (in a cluster,
 * fetched from another member first when this one lacks it).
 */
export function artifactRoutes(
  artifacts: ArtifactStore,
  replicator: ArtifactReplicator | undefined,
  credentials: Credentials | undefined,
): Router {
  const router = Router();

  router.put('/artifacts', requireRole(credentials, ['admin']), (req, res, next) => {
    const declared = req.headers['content-length'];
    artifacts
      .stage(req.iterator({ destroyOnReturn: false }), {
        ...(declared === undefined ? {} : { declaredBytes: Number(declared) }),
      })
      .then((staged) =>
        replicator === undefined ? artifacts.commit(staged) : replicator.replicate(staged),
      )
      .then(
        (stored) => res.status(stored.created ? 201 : 200).json(stored),
        (error: unknown) => {
          // Read the rest of a refused body, so that the client gets to read the answer.
          req.resume();
          refuseUpload(error, res, next);
        },
      );
  });

  router.get(
    '/artifacts/:sha256',
    requireRole(credentials, ['admin', 'worker']),
    (req, res, next) => {
      const { sha256 } = req.params as { sha256: string };
      if (!isArtifactHex(sha256)) {
        sendRestError(res, 'not_found', `no artifact '${sha256}' (expected 64 hex digits)`);
        return;
      }
      const own = artifacts.file(sha256);
      if (own !== undefined || replicator === undefined) {
        serve(res, sha256, own);
        return;
      }
      replicator.obtain(sha256).then((obtained) => {
        if ('file' in obtained) serve(res, sha256, obtained.file);
        else {
          sendRestError(
            res,
            'not_found',
            `no artifact sha256:${sha256} on any member (${obtained.reasons.join('; ')})`,
          );
        }
      }, next);
    },
  );

  return router;
}

function serve(res: Response, hex: string, file: { path: string } | undefined): void {
  if (file === undefined) {
    sendRestError(res, 'not_found', `no artifact sha256:${hex}`);
    return;
  }
  // Content-addressed: the bytes behind a hash never change.
  res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  res.type('application/octet-stream').sendFile(file.path);
}

function refuseUpload(error: unknown, res: Response, next: NextFunction): void {
  if (error instanceof ArtifactRefused) {
    sendRestError(res, error.code, error.message);
  } else if (error instanceof MajorityUnreachable) {
    sendRestError(res, 'replication_failed', `artifact not stored: ${error.message}`);
  } else {
    next(error);
  }
}
