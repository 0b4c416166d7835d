import { type Request, type Response, Router } from 'express';
import type { Credentials } from '../../auth/index.js';
import type { ArtifactReplicator } from '../../cluster/artifact-replicator.js';
import { type ArtifactStore, artifactHexOf } from '../../store/index.js';
import { requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';
import { sendArtifact } from '../send-artifact.js';
import { storeUpload } from '../store-upload.js';

/**
 * `PUT /api/artifacts` streams a file to disk under its hash (in a cluster, acknowledged once
 * a majority of members has it); `GET /api/artifacts/:sha256` serves it, named by the ref the
 * upload answered (`sha256:<hex>`) or by its hex alone (in a cluster, fetched from another
 * member first when this one lacks it).
 */
export function artifactRoutes(
  artifacts: ArtifactStore,
  replicator: ArtifactReplicator | undefined,
  credentials: Credentials | undefined,
): Router {
  const router = Router();

  router.put('/artifacts', requireRole(credentials, ['admin']), (req, res, next) => {
    const declared = req.headers['content-length'];
    storeUpload(
      req,
      res,
      next,
      { artifacts, replicator },
      {
        ...(declared === undefined ? {} : { declaredBytes: Number(declared) }),
      },
    );
  });

  router.get(
    '/artifacts/:sha256',
    requireRole(credentials, ['admin', 'worker']),
    (req, res, next) => {
      const { sha256: name } = req.params as { sha256: string };
      const hex = artifactHexOf(name);
      if (hex === undefined) {
        sendRestError(
          res,
          'not_found',
          `no artifact '${name}' (expected sha256:<64 hex digits>, or the 64 hex digits alone)`,
        );
        return;
      }
      const own = artifacts.file(hex);
      if (own !== undefined || replicator === undefined) {
        serve(req, res, hex, own);
        return;
      }
      replicator.obtain(hex).then((obtained) => {
        if ('file' in obtained) serve(req, res, hex, obtained.file);
        else {
          sendRestError(
            res,
            'not_found',
            `no artifact sha256:${hex} on any member (${obtained.reasons.join('; ')})`,
          );
        }
      }, next);
    },
  );

  return router;
}

function serve(
  req: Request,
  res: Response,
  hex: string,
  file: { path: string; size: number } | undefined,
): void {
  if (file === undefined) {
    sendRestError(res, 'not_found', `no artifact sha256:${hex}`);
    return;
  }
  // Content-addressed: the bytes behind a hash never change, so the hash is the ETag.
  res.set({ 'cache-control': 'public, max-age=31536000, immutable', etag: `"${hex}"` });
  if (req.fresh) res.status(304).end();
  else sendArtifact(req, res, file);
}
