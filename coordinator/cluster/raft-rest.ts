import type { IncomingMessage, ServerResponse } from 'node:http';
import { RAFT_FROM_HEADER } from '../../protocol/index.js';
import { sendRestError, writeJson } from '../http/errors.js';
import type { PeerTransport } from '../raft-io/index.js';

/** The original framework's Raft paths; each takes a peer frame (`{v, type: 'raft', messages}`). */
export const RAFT_REST_PATHS = new Set([
  '/api/raft/request_vote',
  '/api/raft/append_entries',
  '/api/raft/sync_state',
]);

/**
 * Answers `POST /api/raft/*` before Express: the body must carry the cluster secret and
 * decode as a peer frame from the member named in `x-dtf-raft-from`. False for other paths.
 */
export function raftRestHandler(
  transport: PeerTransport,
  maxBytes: number,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!RAFT_REST_PATHS.has(path)) return false;
    if (req.method !== 'POST') {
      sendRestError(res, 'not_found', `no route ${req.method} ${path}`);
      return true;
    }
    const from = transport.authenticPeer(req);
    if (from === undefined) {
      sendRestError(res, 'unauthorized', `send the cluster token and ${RAFT_FROM_HEADER}`);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) {
        sendRestError(res, 'message_too_large', `body of ${size} bytes exceeds ${maxBytes}`);
        return;
      }
      const error = transport.receive(Buffer.concat(chunks).toString(), from);
      if (error !== undefined) sendRestError(res, error.code, error.message);
      else writeJson(res, 202, { accepted: true });
    });
    return true;
  };
}
