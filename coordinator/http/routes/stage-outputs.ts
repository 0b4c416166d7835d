import { type Request, Router } from 'express';
import { STAGE_OUTPUT_HEADERS } from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import { stageUploadTarget } from '../../shard-stage/upload-target.js';
import { requestRole, requireRole } from '../auth.js';
import { sendRestError } from '../errors.js';
import { storeUpload } from '../store-upload.js';

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `PUT /api/attempts/:taskId/:attempt/outputs/:name`: a shard-stage attempt's output
 * activation, streamed to the artifact store (in a cluster, by any member, acknowledged once a
 * majority has it) and answered with its ref, the hash computed here. Only for a declared output of a live
 * lease of the worker that uploads it, and only its declared bytes (see `stageUploadTarget`).
 */
export function stageOutputRoutes(
  ctx: CoordinatorContext,
  credentials: Credentials | undefined,
): Router {
  const router = Router();
  router.put(
    '/attempts/:taskId/:attempt/outputs/:name',
    requireRole(credentials, ['worker', 'admin']),
    async (req, res, next) => {
      const cluster = ctx.cluster;
      if (cluster !== undefined && !cluster.isLeader) {
        // A follower judges the lease on state as recent as the leader's.
        const read = await cluster.read().then(
          () => undefined,
          (error: Error) => error,
        );
        if (read !== undefined) {
          res.setHeader('retry-after', '1');
          sendRestError(res, 'not_leader', read.message);
          return;
        }
      }
      const { taskId, attempt, name } = req.params as Record<string, string>;
      const target = stageUploadTarget(ctx.state, {
        taskId: taskId!,
        attempt: attempt!,
        name: name!,
        workerId: header(req, STAGE_OUTPUT_HEADERS.workerId),
        secret: header(req, STAGE_OUTPUT_HEADERS.workerSecret),
        leaseToken: header(req, STAGE_OUTPUT_HEADERS.leaseToken),
        contentLength: header(req, 'content-length'),
        role: requestRole(res),
      });
      if ('error' in target) {
        sendRestError(res, target.error.code, target.error.message);
        return;
      }
      storeUpload(
        req,
        res,
        next,
        { artifacts: ctx.artifacts, replicator: ctx.artifactReplicas },
        { declaredBytes: target.bytes, exactBytes: target.bytes },
      );
    },
  );
  return router;
}
