import type { IncomingMessage, ServerResponse } from 'node:http';
import { artifactHexOf } from '../../store/index.js';
import { sendRestError } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';
import { sendArtifact } from '../send-artifact.js';
import { declaredLength, storeUpload } from '../store-upload.js';

/**
 * `PUT /api/artifacts` streams a file to disk under its hash (in a cluster, acknowledged once
 * a majority of members has it).
 */
export function uploadArtifact({ req, res }: RouteCall, { ctx }: RouteDeps): Promise<void> {
  return storeUpload(
    req,
    res,
    { artifacts: ctx.artifacts, replicator: ctx.artifactReplicas },
    declaredLength(req),
  );
}

/**
 * `GET /api/artifacts/:sha256` serves a file named by the ref its upload answered
 * (`sha256:<hex>`) or by its hex alone (in a cluster, fetched from another member first when
 * this one lacks it).
 */
export function downloadArtifact(call: RouteCall, deps: RouteDeps): Promise<void> {
  return serveStored(call, deps, call.params.sha256!, 'application/octet-stream');
}

/**
 * `GET /page-modules/:file` serves a stored artifact as an ES module, with CORS, for a worker
 * page to import: a page test `dtf run` bundled and stored. Public like the worker page: an
 * `import()` sends no token, and the name is a SHA-256 no one guesses.
 */
export function servePageModule(call: RouteCall, deps: RouteDeps): Promise<void> {
  call.res.setHeader('access-control-allow-origin', '*');
  return serveStored(
    call,
    deps,
    call.params.file!.replace(/\.js$/, ''),
    'text/javascript; charset=utf-8',
  );
}

async function serveStored(
  { req, res }: RouteCall,
  { ctx }: RouteDeps,
  name: string,
  contentType: string,
): Promise<void> {
  const hex = artifactHexOf(name);
  if (hex === undefined) {
    sendRestError(
      res,
      'not_found',
      `no artifact '${name}' (expected sha256:<64 hex digits>, or the 64 hex digits alone)`,
    );
    return;
  }
  const own = ctx.artifacts.file(hex);
  if (own !== undefined || ctx.artifactReplicas === undefined) {
    serve(req, res, hex, own, contentType);
    return;
  }
  const obtained = await ctx.artifactReplicas.obtain(hex);
  if ('file' in obtained) serve(req, res, hex, obtained.file, contentType);
  else {
    sendRestError(
      res,
      'not_found',
      `no artifact sha256:${hex} on any member (${obtained.reasons.join('; ')})`,
    );
  }
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  hex: string,
  file: { path: string; size: number } | undefined,
  contentType: string,
): void {
  if (file === undefined) {
    sendRestError(res, 'not_found', `no artifact sha256:${hex}`);
    return;
  }
  // Content-addressed: the bytes behind a hash never change, so the hash is the ETag.
  const etag = `"${hex}"`;
  res.setHeader('cache-control', 'public, max-age=31536000, immutable');
  res.setHeader('etag', etag);
  if (holdsCopy(req, etag)) {
    res.writeHead(304);
    res.end();
  } else sendArtifact(req, res, file, contentType);
}

/** Whether a conditional request already holds the bytes behind `etag` (RFC 9110 §13.1.2). */
function holdsCopy(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (
    header === undefined ||
    /(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers['cache-control'] ?? '')
  ) {
    return false;
  }
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}
