import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_PENDING, Credentials } from '../../../../coordinator/auth/index.js';
import { restoreAppliedState } from '../../../../coordinator/cluster/applied-state.js';
import { encodeStateSnapshot } from '../../../../coordinator/cluster/state-snapshot.js';
import { authorized } from '../../../../coordinator/http/auth.js';
import { SqliteStorage } from '../../../../coordinator/raft-io/index.js';
import { apply, createState } from '../../../../coordinator/state/index.js';
import { GroupCommit, openDatabase } from '../../../../coordinator/store/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

const config = { heartbeatIntervalMs: 1000, heartbeatMisses: 3 };
afterEach(removeTempDirs);

const hex = (value: string) => createHash('sha256').update(value).digest('hex');

function setCredentials(admin: string, worker: string, now = 1) {
  return {
    type: 'SetCredentials' as const,
    now,
    adminKeySha256: hex(admin),
    workerTokenSha256: hex(worker),
  };
}

describe('replicated cluster credentials', () => {
  it('applies the first SetCredentials and ignores every later one', () => {
    const state = createState(config);
    expect(state.credentials).toBeUndefined();
    const first = apply(state, setCredentials('a1', 'w1'));
    expect(first).toEqual([
      {
        type: 'CredentialsSet',
        credentials: { adminKeySha256: hex('a1'), workerTokenSha256: hex('w1') },
      },
    ]);
    // Another leader's proposal, applied after the first: nothing changes.
    expect(apply(state, setCredentials('a2', 'w2', 2))).toEqual([]);
    expect(state.credentials).toEqual({ adminKeySha256: hex('a1'), workerTokenSha256: hex('w1') });
  });

  it('gives every member applying the same log the same credentials', () => {
    const log = [setCredentials('a1', 'w1'), setCredentials('a2', 'w2', 2)];
    const members = [createState(config), createState(config)];
    for (const member of members) for (const command of log) apply(member, command);
    expect(members[0]!.credentials).toEqual(members[1]!.credentials);
  });

  it('stores the applied hashes in the credentials table; a cluster start takes them from its snapshot', async () => {
    const db = openDatabase(tempDir());
    const state = createState(config);
    const commit = new GroupCommit(db, state, {
      followUp: () => undefined,
      onCommitted: () => {},
      onFatal: (e) => {
        throw e;
      },
    });
    const rows = () =>
      db.prepare('SELECT role, token_sha256 FROM credentials ORDER BY role').all() as Array<{
        role: string;
        token_sha256: string;
      }>;
    await commit.submitAndWait(setCredentials('a1', 'w1'));
    await commit.submitAndWait(setCredentials('a2', 'w2', 2));
    expect(rows()).toEqual([
      { role: 'admin', token_sha256: hex('a1') },
      { role: 'worker', token_sha256: hex('w1') },
    ]);
    commit.close();
    // No snapshot yet: the state before the first entry, to which the whole log applies again.
    expect(restoreAppliedState(db, config).state.credentials).toBeUndefined();
    expect(rows()).toEqual([]);
    new SqliteStorage(db).persist({
      hardState: { term: 1, vote: null, commit: 2 },
      entries: [],
      snapshot: { meta: { index: 2, term: 1 }, data: await encodeStateSnapshot(state) },
      compaction: null,
    });
    expect(restoreAppliedState(db, config).state.credentials).toEqual(state.credentials);
    expect(rows().map((r) => r.token_sha256)).toEqual([hex('a1'), hex('w1')]);
    db.close();
  });

  it('a pending Credentials object refuses every token until the hashes arrive', () => {
    const keys = Credentials.generate();
    expect(keys.adminKeySha256).toBe(hex(keys.adminKey));
    expect(keys.workerTokenSha256).toBe(hex(keys.workerToken));
    const credentials = Credentials.pending();
    expect(credentials.ready).toBe(false);
    expect(credentials.grantOf(keys.adminKey)?.role).toBeUndefined();
    credentials.set(keys);
    expect(credentials.ready).toBe(true);
    // The refusal seen while pending is not remembered.
    expect(credentials.grantOf(keys.adminKey)?.role).toBe('admin');
    expect(credentials.grantOf(keys.workerToken)?.role).toBe('worker');
    expect(credentials.grantOf('dtf_admin_wrong')?.role).toBeUndefined();
  });
});

describe('authorized() on a cluster member without credentials yet', () => {
  it('answers 503 naming the wait rather than 401', () => {
    const sent: { status?: number; headers: Record<string, unknown>; body?: string } = {
      headers: {},
    };
    const res = {
      setHeader: (name: string, value: unknown) => {
        sent.headers[name] = value;
      },
      writeHead: (status: number, headers: Record<string, unknown>) => {
        sent.status = status;
        Object.assign(sent.headers, headers);
      },
      end: (body: string) => {
        sent.body = body;
      },
    } as unknown as ServerResponse;
    const req = { headers: { authorization: 'Bearer dtf_admin_x' } } as IncomingMessage;
    expect(authorized(Credentials.pending(), ['admin'], req, res)).toBeUndefined();
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
    expect(JSON.parse(sent.body!)).toEqual({
      error: { code: 'credentials_pending', message: CREDENTIALS_PENDING },
    });
    expect(CREDENTIALS_PENDING).toBe('cluster credentials not yet created; wait for a leader');
  });
});
