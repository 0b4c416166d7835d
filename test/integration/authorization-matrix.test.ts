import { beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { ROUTES } from '../../coordinator/http/routes.js';
import {
  CLOSE_KEY_EXPIRED,
  CLOSE_KEY_REVOKED,
  type CreatedKeyReply,
  MESSAGE_ROLES,
  PROTOCOL_VERSION,
  ROLES,
  type Role,
} from '../../protocol/index.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { RawSocket } from '../support/raw-socket.js';
import { errorOf, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

/** A key that lets nobody in, and why. */
const REFUSED = ['none', 'wrong', 'expired', 'revoked'] as const;
type Case = Role | (typeof REFUSED)[number];

let coordinator: CoordinatorProcess;
const tokens = new Map<Case, string | undefined>();

async function createKey(role: Role, name: string, expiresInMs?: number): Promise<CreatedKeyReply> {
  const body = { name, role, ...(expiresInMs === undefined ? {} : { expiresInMs }) };
  const response = await postJson(coordinator.url, '/api/keys', coordinator.adminKey, body);
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedKeyReply;
}

function revoke(id: string): Promise<Response> {
  return postJson(coordinator.url, `/api/keys/${id}/revoke`, coordinator.adminKey, undefined);
}

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  tokens.set('admin', coordinator.adminKey);
  tokens.set('worker', coordinator.workerToken);
  tokens.set('submitter', (await createKey('submitter', 'submitter')).secret);
  tokens.set('viewer', (await createKey('viewer', 'viewer')).secret);
  tokens.set('none', undefined);
  tokens.set('wrong', 'dtf_admin_not-a-key-of-this-coordinator');
  const expired = await createKey('admin', 'expired', 1);
  // Past its expiry on this clock, which the coordinator's shares.
  while (Date.now() <= (expired.key.expiresAt ?? 0)) await new Promise((r) => setImmediate(r));
  tokens.set('expired', expired.secret);
  const revoked = await createKey('admin', 'revoked');
  expect((await revoke(revoked.key.id)).status).toBe(200);
  tokens.set('revoked', revoked.secret);
});

/** A route's path with each `:param` and a trailing `/*` filled in. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'x').replace(/\/\*$/, '/x');

/**
 * What a route must answer a caller with `role` (undefined: refused keys). The cluster
 * members' routes are not served by a coordinator alone: 404 whatever the key (a cluster's
 * members check the cluster token, which the Raft and fuzz tests send wrong).
 */
function expected(who: (typeof ROUTES)[number]['who'], role: Role | undefined): string {
  if (who === 'anyone') return 'admitted';
  if (who === 'member') return '404';
  if (role === undefined) return '401';
  return who.includes(role) ? 'admitted' : '403';
}

function outcome(who: (typeof ROUTES)[number]['who'], status: number): string {
  if (status === 401 || status === 403 || (who === 'member' && status === 404)) {
    return String(status);
  }
  return 'admitted';
}

describe('every REST route and WebSocket message answers every kind of key as its policy says', () => {
  it('REST: each route × each role, no key, a wrong, an expired and a revoked key', async () => {
    const seen: string[] = [];
    const wrong: string[] = [];
    for (const route of ROUTES) {
      for (const [which, token] of tokens) {
        const role = (ROLES as readonly string[]).includes(which) ? (which as Role) : undefined;
        const headers: Record<string, string> =
          token === undefined ? {} : { authorization: `Bearer ${token}` };
        const withBody = route.method !== 'GET';
        if (withBody)
          headers['content-type'] =
            route.body === 'stream' ? 'application/octet-stream' : 'application/json';
        const response = await fetch(`${coordinator.url}${concrete(route.path)}`, {
          method: route.method,
          headers,
          ...(withBody ? { body: route.body === 'stream' ? '' : '{}' } : {}),
        });
        await response.arrayBuffer();
        const got = outcome(route.who, response.status);
        const want = expected(route.who, role);
        seen.push(`${route.name} ${which}`);
        if (got !== want)
          wrong.push(
            `${route.method} ${route.path} (${route.name}) with ${which}: ${response.status}, expected ${want}`,
          );
      }
    }
    expect(wrong).toEqual([]);
    expect(seen).toHaveLength(ROUTES.length * tokens.size);
  });

  it('WebSocket: refused keys cannot connect; each message type × each role as MESSAGE_ROLES says', async () => {
    for (const which of REFUSED) {
      const refused = await RawSocket.open(coordinator.wsUrl, tokens.get(which)).then(
        () => undefined,
        (error: { status?: number }) => error.status,
      );
      expect(refused, which).toBe(401);
    }
    const wrong: string[] = [];
    for (const role of ROLES) {
      const socket = await RawSocket.open<{ type: string; id?: string; code?: string }>(
        coordinator.wsUrl,
        tokens.get(role),
      );
      for (const [type, allowed] of Object.entries(MESSAGE_ROLES)) {
        socket.send({ v: PROTOCOL_VERSION, type, id: `probe-${type}` });
        // An unknown type is always answered: everything the probe drew comes before it.
        socket.send({ v: PROTOCOL_VERSION, type: 'no-such-type', id: `end-${type}` });
        let forbidden = false;
        for (;;) {
          const message = await socket.first();
          if (message.id === `end-${type}`) break;
          if (message.id === `probe-${type}` && message.code === 'forbidden') forbidden = true;
        }
        if (forbidden === allowed.includes(role)) {
          wrong.push(`${role} sending '${type}': ${forbidden ? 'forbidden' : 'admitted'}`);
        }
      }
      socket.close();
    }
    expect(wrong).toEqual([]);
  });

  it("closes a key's connections at once when it is revoked, and when it expires", async () => {
    const revoked = await createKey('viewer', 'to-revoke');
    const socket = await RawSocket.open(coordinator.wsUrl, revoked.secret);
    expect((await revoke(revoked.key.id)).status).toBe(200);
    expect(await socket.closed()).toBe(CLOSE_KEY_REVOKED);

    const expiring = await createKey('viewer', 'to-expire', 3_000);
    const opened = await RawSocket.open(coordinator.wsUrl, expiring.secret).catch(
      (error: { status?: number }) => error.status,
    );
    // On a machine too busy to connect within 3 s, the key had expired already: refused too.
    if (opened instanceof RawSocket) expect(await opened.closed()).toBe(CLOSE_KEY_EXPIRED);
    else expect(opened).toBe(401);
  });

  it('lets a submitter key cancel and retarget only the tasks it submitted', async () => {
    const connect = (token: string) => DtfClient.connect({ urls: [coordinator.wsUrl], token });
    const alice = await connect((await createKey('submitter', 'alice')).secret);
    const bob = await connect((await createKey('submitter', 'bob')).secret);
    const admin = await connect(coordinator.adminKey);
    try {
      // No worker: the tasks stay queued.
      const waiting = (group: string) => ({
        kind: 'command' as const,
        group,
        payload: { command: 'true' },
      });
      const [mine] = await alice.submit([waiting('shared')]);
      const [theirs] = await bob.submit([waiting('shared')]);
      await expect(alice.cancel({ taskIds: [theirs!] })).rejects.toThrow(
        `task ${theirs} was submitted by another key`,
      );
      await expect(alice.cancel({ group: 'shared' })).rejects.toThrow("group 'shared' holds task");
      const retarget = await postJson(
        coordinator.url,
        '/api/tasks/retarget',
        tokens.get('submitter')!,
        {
          taskIds: [mine],
          requirements: { labels: { pool: 'b' } },
        },
      );
      expect(retarget.status).toBe(403);
      expect(await alice.cancel({ taskIds: [mine!] })).toEqual([mine]);
      // The admin key changes anyone's.
      expect(await admin.cancel({ group: 'shared' })).toEqual([theirs]);
    } finally {
      await Promise.all([alice.close(), bob.close(), admin.close()]);
    }
  });

  it("refuses a scoped key's tasks beyond its kinds, labels and groups", async () => {
    const response = await postJson(coordinator.url, '/api/keys', coordinator.adminKey, {
      name: 'ci-scoped',
      role: 'submitter',
      scopes: { kinds: ['command'], labels: { pool: 'ci' }, groups: ['ci-*'] },
    });
    const { secret } = (await response.json()) as CreatedKeyReply;
    const submit = (task: Record<string, unknown>) =>
      postJson(coordinator.url, '/api/tasks/submit', secret, {
        kind: 'command',
        payload: { command: 'true' },
        ...task,
      });
    const ok = await submit({ group: 'ci-1', requirements: { labels: { pool: 'ci' } } });
    expect(ok.status).toBe(201);
    const refused = await submit({ group: 'ci-1' });
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toEqual({
      code: 'forbidden',
      message:
        "tasks[0].requirements.labels: this key's tasks must ask for pool=ci, so that they run only on the workers meant for them",
    });
  });
});
