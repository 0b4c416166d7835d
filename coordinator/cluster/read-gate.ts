import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credentials } from '../auth/index.js';
import { authorized } from '../http/auth.js';
import { sendRestError, sendThrownError } from '../http/errors.js';
import type { RaftHost } from './raft-host.js';

const ONE_RESOURCE = /^\/api\/(?:tasks|results)\/[^/]+$/;
const REPLICATED_COLLECTIONS = new Set(['/api/tasks', '/api/workers', '/api/shard/speeds']);

/**
 * The REST reads answered from the replicated state: tasks, one task, a result, workers, stage
 * speeds. Any
 * member serves them once a ReadIndex makes them linearizable. `/api/status` and the health
 * paths describe the member itself and stay local; artifacts are files, served by any member
 * from its own data dir; metrics go to the leader.
 */
export function isReplicatedRead(method: string | undefined, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  // As Express routes them: any letter case, with or without a trailing slash.
  const route = path.toLowerCase().replace(/\/+$/, '');
  return REPLICATED_COLLECTIONS.has(route) || ONE_RESOURCE.test(route);
}

/**
 * In cluster mode, holds a replicated read until `host.read()` says it is safe at this member
 * (leader or follower), then serves it here; answers 503 `not_leader` naming the problem when
 * it cannot be made safe in time. False for any other request.
 */
export function readGate(
  host: RaftHost,
  credentials: Credentials | undefined,
): (req: IncomingMessage, res: ServerResponse, serve: () => void) => boolean {
  return (req, res, serve) => {
    const url = req.url ?? '';
    const end = url.indexOf('?');
    if (!isReplicatedRead(req.method, end === -1 ? url : url.slice(0, end))) return false;
    // Every replicated read needs the admin key; a stranger does not get to start a round.
    if (!authorized(credentials, ['admin'], req, res)) return true;
    host
      .read()
      .then(serve, (error: Error) => {
        res.setHeader('retry-after', '1');
        sendRestError(res, 'not_leader', error.message);
      })
      .catch((error: Error) => {
        // A read that failed while answering: the request is lost, the coordinator is not.
        if (res.headersSent) res.destroy();
        else sendThrownError(res, error);
      });
    return true;
  };
}
