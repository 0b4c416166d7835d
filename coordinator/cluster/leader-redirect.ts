import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeJson } from '../http/errors.js';
import type { RaftHost } from './raft-host.js';

/** Paths any member answers itself: its own health and Raft status, and what a token grants. */
const LOCAL_PATHS = new Set(['/api/health', '/api/status', '/api/whoami']);
/** Artifact downloads: every member serves them, fetching a copy from a peer if it lacks one. */
const ARTIFACT_DOWNLOAD = /^\/api\/artifacts\/[^/]+$/;
/**
 * A stage's output: every member takes it, after a linearizable read of the lease, and stores
 * it on a majority; a worker page uploads to the member that served it, which may not lead.
 */
const STAGE_OUTPUT_UPLOAD = /^\/api\/attempts\/[^/]+\/[^/]+\/outputs\/[^/]+$/;

/**
 * On a follower, sends every other request (writes; replicated reads are taken by the read
 * gate before; artifact downloads and stage output uploads stay) to the leader: 307 to the same path there, or 503 naming the problem while no
 * leader is known. False when this member serves it.
 */
export function leaderRedirect(
  host: RaftHost,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (host.isLeader) return false;
    const path = (req.url ?? '').split('?')[0]!;
    if (LOCAL_PATHS.has(path)) return false;
    if ((req.method === 'GET' || req.method === 'HEAD') && ARTIFACT_DOWNLOAD.test(path))
      return false;
    if (req.method === 'PUT' && STAGE_OUTPUT_UPLOAD.test(path)) return false;
    const { leaderUrl } = host.status();
    if (leaderUrl === null) {
      res.setHeader('retry-after', '1');
      writeJson(res, 503, {
        error: {
          code: 'not_leader',
          message: 'no leader is known yet; retry shortly',
          leader: null,
        },
      });
      return true;
    }
    res.writeHead(307, { location: `${leaderUrl}${req.url ?? '/'}`, 'content-length': 0 });
    res.end();
    return true;
  };
}
