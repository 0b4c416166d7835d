import { isArtifactHex } from '../../store/index.js';
import { sendRestError } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';
import { sendArtifact } from '../send-artifact.js';
import { declaredLength, storeUpload } from '../store-upload.js';

/** The `:sha256` of a member's artifact request, or undefined once it is refused. */
function hexOf({ params, res }: RouteCall): string | undefined {
  const hex = params.sha256!;
  if (isArtifactHex(hex)) return hex;
  // The body is not read: the connection closes after the answer.
  res.setHeader('connection', 'close');
  sendRestError(res, 'invalid_message', `${hex} is not a SHA-256 in lowercase hex`);
  return undefined;
}

/** `GET`/`HEAD /api/raft/artifacts/:sha256`: this member's own copy, or 404. */
export function serveArtifactCopy(call: RouteCall, { ctx }: RouteDeps): void {
  const hex = hexOf(call);
  if (hex === undefined) return;
  const file = ctx.artifacts.file(hex);
  if (file === undefined) {
    sendRestError(call.res, 'not_found', `no artifact sha256:${hex} on this member`);
    return;
  }
  sendArtifact(call.req, call.res, file);
}

/**
 * `PUT /api/raft/artifacts/:sha256`: a member's copy, stored once its bytes hash to `:sha256`,
 * synced to disk (201, or 200 when it was there).
 */
export function receiveArtifactCopy(call: RouteCall, { ctx }: RouteDeps): Promise<void> {
  const hex = hexOf(call);
  if (hex === undefined) return Promise.resolve();
  return storeUpload(
    call.req,
    call.res,
    { artifacts: ctx.artifacts, replicator: undefined },
    { expectedHex: hex, ...declaredLength(call.req) },
  ).catch((error: unknown) => {
    // The leader names each member's failure in its refusal: say what failed here.
    sendRestError(call.res, 'internal', `could not store sha256:${hex}: ${String(error)}`);
  });
}
