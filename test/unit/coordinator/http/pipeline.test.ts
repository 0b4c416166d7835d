import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { apiReference } from '../../../../coordinator/api-reference.js';
import { Credentials } from '../../../../coordinator/auth/index.js';
import type { CoordinatorContext } from '../../../../coordinator/context.js';
import { ROUTES } from '../../../../coordinator/http/index.js';
import { jsonBodyReader } from '../../../../coordinator/http/json-body.js';
import { createPipeline } from '../../../../coordinator/http/pipeline.js';
import type {
  Access,
  ClusterPolicy,
  Route,
  RouteCall,
  RouteDeps,
} from '../../../../coordinator/http/route.js';
import { RAFT_FROM_HEADER } from '../../../../protocol/index.js';
import { closeAfterEach } from '../../../support/close-after-each.js';

const MIB = 1024 * 1024;
const keys = Credentials.generate();
const credentials = Credentials.pending();
credentials.set(keys);

/** A route that answers what the pipeline handed its handler. */
function echo(
  path: string,
  who: Access,
  cluster: ClusterPolicy = 'local',
  extra: Partial<Route> = {},
): Route {
  return {
    name: path,
    method: 'GET',
    path,
    who,
    cluster,
    body: 'none',
    summary: 'echo',
    reply: 'the request as the handler saw it',
    handle: ({ res, params, query, body, caller }: RouteCall) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ params, query, body, caller }));
    },
    ...extra,
  };
}

interface FakeCluster {
  isLeader: boolean;
  leaderUrl: string | null;
  reads: number;
  read: () => Promise<void>;
  status: () => { leaderUrl: string | null };
}

function follower(leaderUrl: string | null, read = () => Promise.resolve()): FakeCluster {
  const cluster: FakeCluster = {
    isLeader: false,
    leaderUrl,
    reads: 0,
    read: () => {
      cluster.reads++;
      return read();
    },
    status: () => ({ leaderUrl: cluster.leaderUrl }),
  };
  return cluster;
}

function deps(overrides: {
  cluster?: FakeCluster;
  peers?: RouteDeps['peers'];
  db?: Database.Database;
}): RouteDeps {
  const ctx = { cluster: overrides.cluster };
  return {
    ctx: ctx as unknown as CoordinatorContext,
    db: overrides.db as Database.Database,
    metrics: undefined as never,
    webhooks: undefined as never,
    credentials,
    readBody: jsonBodyReader(8 * MIB),
    files: (_req, res) => res.end('files'),
    loopDelay: { percentile: () => 0 },
    peers: overrides.peers,
  };
}

const opened = closeAfterEach({
  server: (server: Server) => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  },
  db: (db: Database.Database) => db.close(),
});

async function serve(routes: readonly Route[], routeDeps: RouteDeps): Promise<string> {
  const server = opened.server(createServer(createPipeline(routes, routeDeps)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function call(url: string, token?: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
}

describe('the route table', () => {
  it('names each route once and each method and path once', () => {
    expect(new Set(ROUTES.map((r) => r.name)).size).toBe(ROUTES.length);
    const keysOf = ROUTES.map((r) => `${r.method} ${r.path.toLowerCase()}`);
    expect(new Set(keysOf).size).toBe(keysOf.length);
  });

  it('is what docs/api.md says (regenerate it with npm run docs:api)', () => {
    const docs = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    expect(docs).toBe(apiReference(ROUTES));
  });

  it('documents the body of every route that reads JSON', () => {
    const undocumented = ROUTES.filter((r) => r.body === 'json' && r.request === undefined);
    expect(undocumented.map((r) => r.name)).toEqual([]);
  });

  it('lets a follower answer /api/health* itself and sends writes to the leader', async () => {
    const db = opened.db(new Database(':memory:'));
    const url = await serve(ROUTES, deps({ cluster: follower('http://leader:1'), db }));
    for (const path of ['/api/health', '/api/health/db', '/api/health/resources']) {
      expect((await call(`${url}${path}`, keys.adminKey)).status, path).toBe(200);
    }
    const submit = await call(`${url}/api/tasks/submit?x=1`, keys.adminKey, { method: 'POST' });
    expect(submit.status).toBe(307);
    expect(submit.headers.get('location')).toBe('http://leader:1/api/tasks/submit?x=1');
  });
});

describe('the HTTP pipeline', () => {
  it('matches as Express does: any case, a trailing slash, decoded parameters, HEAD as GET', async () => {
    const url = await serve([echo('/api/things/:id', 'anyone')], deps({}));
    const body = await (await call(`${url}/API/Things/a%20b/?n=1&n=2`)).json();
    expect(body).toEqual({
      params: { id: 'a b' },
      query: { n: ['1', '2'] },
      caller: { kind: 'anyone' },
    });
    expect((await call(`${url}/api/things/x`, undefined, { method: 'HEAD' })).status).toBe(200);
  });

  it('names what it cannot route: an unknown path or method, a malformed escape', async () => {
    const url = await serve([echo('/api/things/:id', 'anyone')], deps({}));
    const unknown = await call(`${url}/api/other`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /api/other' },
    });
    expect((await call(`${url}/api/things/x`, undefined, { method: 'POST' })).status).toBe(404);
    const malformed = await call(`${url}/api/things/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_message',
    );
  });

  it('admits a token only to the roles its route names, and hands the role on', async () => {
    const url = await serve(
      [echo('/admin', ['admin']), echo('/both', ['worker', 'admin'])],
      deps({}),
    );
    expect((await call(`${url}/admin`)).status).toBe(401);
    expect((await call(`${url}/admin`, 'wrong')).status).toBe(401);
    const refused = await call(`${url}/admin`, keys.workerToken);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { code: 'forbidden', message: 'a worker token may not call GET /admin' },
    });
    const admitted = await call(`${url}/both`, keys.workerToken);
    expect(((await admitted.json()) as { caller: unknown }).caller).toEqual({
      kind: 'client',
      role: 'worker',
    });
  });

  it('has routes between members only in a cluster, and admits only a member to them', async () => {
    const route = echo('/peer', 'member');
    expect((await call(`${await serve([route], deps({}))}/peer`)).status).toBe(404);
    const transport = {
      authenticPeer: (req: { headers: Record<string, unknown> }) =>
        req.headers.authorization === 'Bearer cluster'
          ? (req.headers[RAFT_FROM_HEADER] as string)
          : undefined,
      receive: () => undefined,
    };
    const url = await serve([route], deps({ peers: { transport, maxFrameBytes: 1 } }));
    const stranger = await call(`${url}/peer`, keys.adminKey);
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('connection')).toBe('close');
    const member = await call(`${url}/peer`, 'cluster', { headers: { [RAFT_FROM_HEADER]: 'c2' } });
    expect(((await member.json()) as { caller: unknown }).caller).toEqual({
      kind: 'member',
      id: 'c2',
    });
  });

  it('on a follower sends a leader route on, unread and unauthenticated, or says no leader is known', async () => {
    const cluster = follower('http://leader:9');
    let ran = false;
    const route = echo('/write', ['admin'], 'leader', {
      handle: ({ res }) => {
        ran = true;
        res.end();
      },
    });
    const url = await serve([route], deps({ cluster }));
    const redirected = await call(`${url}/write?a=b`);
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe('http://leader:9/write?a=b');
    cluster.leaderUrl = null;
    const leaderless = await call(`${url}/write`);
    expect(leaderless.status).toBe(503);
    expect(leaderless.headers.get('retry-after')).toBe('1');
    expect(((await leaderless.json()) as { error: { code: string } }).error.code).toBe(
      'not_leader',
    );
    cluster.isLeader = true;
    await call(`${url}/write`, keys.adminKey);
    expect(ran).toBe(true);
  });

  it('runs a linearizable route only once its read is safe, after admitting the caller', async () => {
    let release = () => {};
    const cluster = follower(null, () => new Promise<void>((resolve) => (release = resolve)));
    const url = await serve([echo('/read', ['admin'], 'linearizable')], deps({ cluster }));
    expect((await call(`${url}/read`)).status).toBe(401);
    expect(cluster.reads).toBe(0);
    const pending = call(`${url}/read`, keys.adminKey);
    await expect.poll(() => cluster.reads).toBe(1);
    release();
    expect((await pending).status).toBe(200);
  });

  it('answers 503 not_leader when a linearizable read cannot be made safe', async () => {
    const cluster = follower(null, () =>
      Promise.reject(new Error('no leader to confirm the read')),
    );
    const url = await serve([echo('/read', ['admin'], 'linearizable')], deps({ cluster }));
    const refused = await call(`${url}/read`, keys.adminKey);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: 'not_leader', message: 'no leader to confirm the read' },
    });
  });

  it("reads a JSON route's body within its caller's bounds, and only a JSON route's", async () => {
    const post = (path: string, body: Partial<Route>) =>
      echo(path, ['worker', 'admin'], 'local', { method: 'POST', ...body });
    const url = await serve(
      [post('/json', { body: 'json' }), post('/stream', { body: 'stream' })],
      deps({}),
    );
    const json = { 'content-type': 'application/json' };
    const send = (path: string, token: string, body: string) =>
      call(`${url}${path}`, token, { method: 'POST', headers: json, body });
    expect(await (await send('/json', keys.adminKey, '{"a":[1]}')).json()).toMatchObject({
      body: { a: [1] },
    });
    expect(await (await send('/stream', keys.adminKey, '{"a":1}')).json()).not.toHaveProperty(
      'body',
    );
    expect((await send('/json', keys.adminKey, '{"a":')).status).toBe(400);
    // Over a worker's bound (a `register` message's), within the admin key's.
    const large = JSON.stringify({ pad: 'x'.repeat(3 * MIB) });
    expect((await send('/json', keys.adminKey, large)).status).toBe(200);
    expect((await send('/json', keys.workerToken, large)).status).toBe(413);
  });

  it('answers 500 for a handler that throws or rejects, and goes on serving', async () => {
    const url = await serve(
      [
        echo('/throws', 'anyone', 'local', {
          handle: () => {
            throw new Error('broken handler');
          },
        }),
        echo('/rejects', 'anyone', 'local', { handle: () => Promise.reject(new Error('later')) }),
        echo('/fine', 'anyone'),
      ],
      deps({}),
    );
    const thrown = await call(`${url}/throws`);
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ error: { code: 'internal', message: 'broken handler' } });
    expect((await call(`${url}/rejects`)).status).toBe(500);
    expect((await call(`${url}/fine`)).status).toBe(200);
  });
});
