import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { RAFT_FROM_HEADER } from '../../protocol/index.js';
import { authorized } from './auth.js';
import {
  sendProtocolError,
  sendRestError,
  sendThrownError,
  type ThrownError,
  writeJson,
} from './errors.js';
import { compilePath, type PathPattern } from './path-pattern.js';
import type { Caller, Route, RouteCall, RouteDeps } from './route.js';

/** What the pipeline needs of a cluster member to apply the routes' cluster policies. */
interface ClusterRouting {
  readonly isLeader: boolean;
  status(): { leaderUrl: string | null };
  read(): Promise<void>;
}

/**
 * The coordinator's HTTP request handler: finds the request's route in `routes` (the first
 * that matches), then applies its policy in order (a follower sends a leader route on; the
 * caller is admitted; a linearizable route waits for its ReadIndex; a JSON body is read within
 * the caller's bounds) and runs its handler. Every refusal is the `{ error: { code, message } }`
 * answer naming the problem; a handler that throws answers 500 and the coordinator goes on.
 */
export function createPipeline(
  routes: readonly Route[],
  deps: RouteDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const cluster: ClusterRouting | undefined = deps.ctx.cluster;
  const table = routes
    // Routes between members exist only where there is a cluster.
    .filter((route) => route.who !== 'member' || deps.peers !== undefined)
    .map((route) => ({ route, pattern: compilePath(route.path) }));

  const run = (route: Route, call: RouteCall): void => {
    try {
      const running = route.handle(call, deps);
      if (running !== undefined) running.catch((error: unknown) => answerFailure(call.res, error));
    } catch (error) {
      answerFailure(call.res, error);
    }
  };

  const serve = (route: Route, call: RouteCall): void => {
    const { req, res } = call;
    const refused = route.gate?.(call, deps);
    if (refused !== undefined) {
      // The body is not read: the connection closes after the answer.
      res.setHeader('connection', 'close');
      sendProtocolError(res, refused);
      return;
    }
    if (route.body !== 'json') {
      run(route, call);
      return;
    }
    const role = call.caller.kind === 'client' ? call.caller.role : 'worker';
    deps.readBody(req, res, role, (error?: ThrownError) => {
      if (error !== undefined) sendThrownError(res, error);
      else run(route, { ...call, body: (req as { body?: unknown }).body });
    });
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    let found: { route: Route; params: Record<string, string> } | undefined;
    try {
      found = match(table, req.method === 'HEAD' ? 'GET' : req.method, path);
    } catch {
      sendRestError(res, 'invalid_message', `malformed %-escape in the path ${path}`);
      return;
    }
    if (found === undefined) {
      sendRestError(res, 'not_found', `no route ${req.method} ${path}`);
      return;
    }
    const { route, params } = found;
    if (route.cluster === 'leader' && cluster !== undefined && !cluster.isLeader) {
      redirectToLeader(cluster, req, res);
      return;
    }
    const caller = admit(route, req, res, deps);
    if (caller === undefined) return;
    const call: RouteCall = {
      req,
      res,
      params,
      query: queryAt === -1 ? {} : parseQuery(url.slice(queryAt + 1)),
      body: undefined,
      caller,
    };
    if (route.cluster !== 'linearizable' || cluster === undefined) {
      serve(route, call);
      return;
    }
    cluster.read().then(
      () => serve(route, call),
      (error: Error) => {
        res.setHeader('retry-after', '1');
        sendRestError(res, 'not_leader', error.message);
      },
    );
  };
}

function match(
  table: ReadonlyArray<{ route: Route; pattern: PathPattern }>,
  method: string | undefined,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const { route, pattern } of table) {
    if (route.method !== method) continue;
    const params = pattern.match(path);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}

/** Who the caller is, by the route's `who`; undefined once the refusal is answered. */
function admit(
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
  deps: RouteDeps,
): Caller | undefined {
  const { who } = route;
  if (who === 'anyone') return { kind: 'anyone' };
  if (who === 'member') {
    const id = deps.peers?.transport.authenticPeer(req);
    if (id !== undefined) return { kind: 'member', id };
    // The body is not read: the connection closes after the answer.
    res.setHeader('connection', 'close');
    sendRestError(res, 'unauthorized', `send the cluster token and ${RAFT_FROM_HEADER}`);
    return undefined;
  }
  const grant = authorized(deps.credentials, who, req, res);
  return grant === undefined ? undefined : { kind: 'client', ...grant };
}

/** A follower's answer to a leader route: 307 to the same path there, or 503 while none leads. */
function redirectToLeader(cluster: ClusterRouting, req: IncomingMessage, res: ServerResponse) {
  const { leaderUrl } = cluster.status();
  if (leaderUrl === null) {
    res.setHeader('retry-after', '1');
    writeJson(res, 503, {
      error: { code: 'not_leader', message: 'no leader is known yet; retry shortly', leader: null },
    });
    return;
  }
  res.writeHead(307, { location: `${leaderUrl}${req.url ?? '/'}`, 'content-length': 0 });
  res.end();
}

/** A handler that failed: the request is lost (cut if its answer had begun), the coordinator is not. */
function answerFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) res.destroy();
  else sendThrownError(res, error as ThrownError);
}
