import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReply, AuditVerifyReply, CreatedKeyReply } from '../../protocol/index.js';
import { type Spawned, spawnDtf } from '../support/processes.js';
import {
  CLUSTER_TOKEN,
  eventually,
  firstLeader,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const keys = {
  DTF_ADMIN_KEY: 'dtf_admin_given_0123456789abcdefghij',
  DTF_WORKER_TOKEN: 'dtf_worker_given_0123456789abcdefghij',
};

async function listening(coordinator: Spawned): Promise<string> {
  const [, url] = await coordinator.waitFor(/DTF coordinator listening on (http:\/\/\S+)/);
  return url!;
}

describe('keys given to coordinators up front (a Kubernetes Secret)', () => {
  it('a coordinator takes them instead of creating its own, and refuses others on a restart', async () => {
    const dataDir = tempDir();
    const args = ['coordinator', '--port', '0', '--data-dir', dataDir];
    const first = spawnDtf(args, keys);
    const url = await listening(first);
    await expect(getJson(url, '/api/status', keys.DTF_ADMIN_KEY)).resolves.toBeDefined();
    await expect(getJson(url, '/api/status', keys.DTF_WORKER_TOKEN)).rejects.toThrow(/403/);
    expect(existsSync(join(dataDir, 'credentials.json'))).toBe(false);
    expect(first.output()).not.toContain(keys.DTF_ADMIN_KEY);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const other = spawnDtf(args, {
      ...keys,
      DTF_ADMIN_KEY: 'dtf_admin_other_0123456789abcdefghij',
    });
    expect(await other.exited).not.toBe(0);
    expect(other.output()).toContain(
      "DTF_ADMIN_KEY differs from the key this coordinator's data already holds",
    );
  }, 60_000);

  it('every member of a cluster takes them: the leader proposes them, none writes them down', async () => {
    const members = await startRaftCluster(3, [], keys);
    const leader = await firstLeader(members);
    // Every member answers 503 until the leader's entry with the keys' hashes is applied.
    await eventually(async () => {
      const res = await fetch(`${leader.url}/api/status`, {
        headers: { authorization: `Bearer ${keys.DTF_ADMIN_KEY}` },
      });
      if (res.status === 503) return false;
      expect(res.status).toBe(200);
      return true;
    }, 'the cluster has the given keys');
    for (const member of members) {
      expect(existsSync(join(member.dataDir, 'credentials.json'))).toBe(false);
    }

    // A key made on the leader works on every member; revoked, it works on none.
    const made = await postJson(leader.url, '/api/keys', keys.DTF_ADMIN_KEY, {
      name: 'ci',
      role: 'viewer',
    });
    expect(made.status).toBe(201);
    const { key, secret } = (await made.json()) as CreatedKeyReply;
    const whoami = (member: (typeof members)[number]) =>
      fetch(`${member.url}/api/whoami`, { headers: { authorization: `Bearer ${secret}` } }).then(
        (res) => res.status,
      );
    const everywhere = async (status: number) =>
      (await Promise.all(members.map(whoami))).every((s) => s === status);
    await eventually(() => everywhere(200), 'every member takes the new key');
    const revoked = await postJson(
      leader.url,
      `/api/keys/${key.id}/revoke`,
      keys.DTF_ADMIN_KEY,
      undefined,
    );
    expect(revoked.status).toBe(200);
    const revokedAt = performance.now();
    await eventually(() => everywhere(401), 'every member refuses the revoked key', 30_000, 10);
    console.log(
      `revocation refused on all 3 members ${Math.round(performance.now() - revokedAt)} ms after its reply`,
    );

    // Every member chains the same audit log: the key's creation and revocation, once each.
    const audits = async () =>
      Promise.all(
        members.map((member) => getJson<AuditReply>(member.url, '/api/audit', keys.DTF_ADMIN_KEY)),
      );
    await eventually(
      async () => (await audits()).every((a) => a.head.seq === 2),
      'every member applied both audit entries',
    );
    const [first, ...others] = await audits();
    expect(first!.entries.map((e) => [e.action, e.target])).toEqual([
      ['key.create', `${key.id} 'ci' (viewer)`],
      ['key.revoke', key.id],
    ]);
    for (const other of others) expect(other.entries).toEqual(first!.entries);
    for (const member of members) {
      const verified = await getJson<AuditVerifyReply>(
        member.url,
        '/api/audit/verify',
        keys.DTF_ADMIN_KEY,
      );
      expect(verified, member.id).toMatchObject({ ok: true, entries: 2 });
    }

    // A member started again with another key stops once it learns the cluster's, naming it.
    const follower = members.find((member) => member !== leader)!;
    follower.child.kill('SIGTERM');
    await follower.exited;
    const other = spawnDtf(follower.args, {
      DTF_CLUSTER_TOKEN: CLUSTER_TOKEN,
      ...keys,
      DTF_ADMIN_KEY: 'dtf_admin_other_0123456789abcdefghij',
    });
    expect(await other.exitWithin(30_000, 'the member given another key')).not.toBe(0);
    expect(other.output()).toContain('DTF_ADMIN_KEY differs from the key');
  }, 90_000);
});
