import type { IncomingMessage } from 'node:http';
import { STAGE_OUTPUT_HEADERS } from '../../../protocol/index.js';
import { stageUploadTarget } from '../../shard-stage/index.js';
import { sendRestError } from '../errors.js';
import { type RouteCall, type RouteDeps, roleOf } from '../route.js';
import { storeUpload } from '../store-upload.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `PUT /api/attempts/:taskId/:attempt/outputs/:name`: a shard-stage attempt's output
 * activation, streamed to the artifact store (in a cluster, by any member, acknowledged once a
 * majority has it) and answered with its ref, the hash computed here. Only for a declared
 * output of a live lease of the worker that uploads it, and only its declared bytes (see
 * `stageUploadTarget`).
 */
export async function uploadStageOutput(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const { req, res, params } = call;
  const target = stageUploadTarget(ctx.state, {
    taskId: params.taskId!,
    attempt: params.attempt!,
    name: params.name!,
    workerId: header(req, STAGE_OUTPUT_HEADERS.workerId),
    secret: header(req, STAGE_OUTPUT_HEADERS.workerSecret),
    leaseToken: header(req, STAGE_OUTPUT_HEADERS.leaseToken),
    contentLength: header(req, 'content-length'),
    role: roleOf(call),
  });
  if ('error' in target) {
    sendRestError(res, target.error.code, target.error.message);
    return;
  }
  await storeUpload(
    req,
    res,
    { artifacts: ctx.artifacts, replicator: ctx.artifactReplicas },
    { declaredBytes: target.bytes, exactBytes: target.bytes },
  );
}
