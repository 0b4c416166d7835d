import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { CLUSTER_TOKEN } from '../support/raft-cluster.js';
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

describe('a 3-coordinator Raft cluster', () => {
  it('elects a leader, replicates submits, fails over on kill -9, and ends every acknowledged task exactly once', async () => {
    await leaderKillScenario({
      tasks: 200,
      afterFailover: 20,
      killAfterEnded: 40,
      onLeader: (leader) => checkRaftRestPaths(leader.url),
    });
  }, 90_000);
});
