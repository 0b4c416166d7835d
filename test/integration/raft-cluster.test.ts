import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { CLUSTER_TOKEN, type ClusterCredentials, type Member } from '../support/raft-cluster.js';
import { leaderKillScenario } from '../support/raft-failover.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

/** The original framework's Raft paths: the cluster secret first, then a valid peer frame. */
async function checkRaftRestPaths(url: string): Promise<void> {
  const post = (path: string, token: string | undefined, body: unknown) =>
    fetch(`${url}/api/raft/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-dtf-raft-from': 'c2',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  const empty = { v: PROTOCOL_VERSION, type: 'raft', messages: [] };
  expect((await post('request_vote', undefined, empty)).status).toBe(401);
  const bad = await post('append_entries', CLUSTER_TOKEN, {
    ...empty,
    messages: [{ type: 'Vote', from: 'c2' }],
  });
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain('messages[0].to');
  for (const path of ['request_vote', 'append_entries', 'sync_state']) {
    expect((await post(path, CLUSTER_TOKEN, empty)).status).toBe(202);
  }
}

/**
 * The one admin key and worker token hold on every member, whichever created them; a wrong
 * token is refused (401) everywhere; a follower serves a read itself and sends the rest on to
 * the leader.
 */
async function checkClusterAuth(
  leader: Member,
  members: Member[],
  keys: ClusterCredentials,
): Promise<void> {
  const get = (url: string, token: string | undefined) =>
    fetch(url, {
      redirect: 'manual',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
  for (const member of members) {
    const status = `${member.url}/api/status`;
    expect((await get(status, keys.adminKey)).status, member.id).toBe(200);
    expect((await get(status, keys.workerToken)).status, member.id).toBe(403);
    const wrong = await get(status, 'dtf_admin_not-the-key');
    expect(wrong.status, member.id).toBe(401);
    expect(await wrong.text()).toContain('invalid token');
    expect((await get(status, undefined)).status, member.id).toBe(401);
  }
  for (const follower of members.filter((m) => m !== leader)) {
    // Replicated reads are served here; the rest goes to the leader.
    expect((await get(`${follower.url}/api/workers`, keys.adminKey)).status).toBe(200);
    expect((await get(`${follower.url}/api/workers`, 'dtf_admin_not-the-key')).status).toBe(401);
    const redirected = await get(`${follower.url}/api/metrics`, keys.adminKey);
    expect(redirected.status).toBe(307);
    const location = redirected.headers.get('location')!;
    expect(location).toBe(`${leader.url}/api/metrics`);
    expect((await get(location, keys.adminKey)).status).toBe(200);
    expect((await get(location, 'dtf_admin_not-the-key')).status).toBe(401);
  }
}

describe('a 3-coordinator Raft cluster', () => {
  it('elects a leader, replicates submits, fails over on kill -9, and ends every acknowledged task exactly once', async () => {
    await leaderKillScenario({
      tasks: 200,
      afterFailover: 20,
      killAfterEnded: 40,
      onLeader: async (leader, members, keys) => {
        await checkRaftRestPaths(leader.url);
        await checkClusterAuth(leader, members, keys);
      },
    });
  }, 90_000);
});
