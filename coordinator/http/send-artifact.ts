import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/**
 * Streams a stored artifact's bytes (headers only for `HEAD`), after any headers already set.
 * Its path comes from the store, never from the request, so no path rules (absolute paths,
 * dotfiles) apply; a read that fails midway cuts the connection, so that a client never takes
 * a short body for the whole file.
 */
export function sendArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  file: { path: string; size: number },
  contentType = 'application/octet-stream',
): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': file.size });
  if (req.method === 'HEAD') res.end();
  else pipeline(createReadStream(file.path), res).catch(() => res.destroy());
}
