import express, { Router } from 'express';
import type { Credentials } from '../../auth/index.js';
import type { ArtifactStore } from '../../store/index.js';
import { requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';

/** `PUT /api/artifacts` stores a file under its hash; `GET /api/artifacts/:sha256` serves it. */
export function artifactRoutes(
  artifacts: ArtifactStore,
  credentials: Credentials | undefined,
): Router {
  const router = Router();

  router.put(
    '/artifacts',
    requireRole(credentials, ['admin']),
    express.raw({ type: () => true, limit: artifacts.maxBytes }),
    (req, res) => {
      const body: unknown = req.body;
      if (!(body instanceof Buffer) || body.length === 0) {
        sendRestError(
          res,
          'invalid_message',
          'send the file as the request body (any content type)',
        );
        return;
      }
      const stored = artifacts.put(body);
      res.status(stored.created ? 201 : 200).json(stored);
    },
  );

  router.get('/artifacts/:sha256', requireRole(credentials, ['admin', 'worker']), (req, res) => {
    const { sha256 } = req.params as { sha256: string };
    const file = artifacts.file(sha256);
    if (file === undefined) {
      sendRestError(res, 'not_found', `no artifact sha256:${sha256}`);
      return;
    }
    // Content-addressed: the bytes behind a hash never change.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type('application/octet-stream').sendFile(file.path);
  });

  return router;
}
