import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendRestError } from '../http/errors.js';
import type { RaftHost } from './raft-host.js';

const ONE_RESOURCE = /^\/api\/(?:tasks|results)\/[^/]+$/;

/**
 * The REST reads answered from the replicated state: tasks, one task, a result, workers. Any
 * member serves them once a ReadIndex makes them linearizable. `/api/status` and the health
 * paths describe the member itself and stay local; artifacts are files, served by any member
 * from its own data dir; metrics go to the leader.
 */
export function isReplicatedRead(method: string | undefined, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/api/tasks' || path === '/api/workers' || ONE_RESOURCE.test(path);
}

/**
 * In cluster mode, holds a replicated read until `host.read()` says it is safe at this member
 * (leader or follower), then serves it here; answers 503 `not_leader` naming the problem when
 * it cannot be made safe in time. False for any other request.
 */
export function readGate(
  host: RaftHost,
): (req: IncomingMessage, res: ServerResponse, serve: () => void) => boolean {
  return (req, res, serve) => {
    const url = req.url ?? '';
    const end = url.indexOf('?');
    if (!isReplicatedRead(req.method, end === -1 ? url : url.slice(0, end))) return false;
    host.read().then(serve, (error: Error) => {
      res.setHeader('retry-after', '1');
      sendRestError(res, 'not_leader', error.message);
    });
    return true;
  };
}
