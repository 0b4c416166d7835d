import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kill9 } from '../support/processes.js';
import {
  agreedLeader,
  type ClusterCredentials,
  callMember,
  clusterCredentials,
  eventually,
  getArtifact,
  isRunning,
  type Member,
  putArtifact,
  restartMember,
  startRaftCluster,
  waitUntilCaughtUp,
} from '../support/raft-cluster.js';
import { cleanUpAfterAll } from '../support/teardown.js';

let members: Member[];
let keys: ClusterCredentials;
beforeAll(async () => {
  members = await startRaftCluster(3);
  keys = await clusterCredentials(members);
});
cleanUpAfterAll();

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const storedAt = (member: Member, hex: string) =>
  existsSync(join(member.dataDir, 'artifacts', hex));

describe('artifacts in a cluster', () => {
  it('refuses an upload with 503 naming each member when no other member can store it, keeping none of it', async () => {
    const leader = await agreedLeader(members, keys.adminKey);
    const followers = members.filter((m) => m !== leader);
    // A file where a follower's artifacts dir should be: it can store nothing (even as root).
    for (const f of followers) {
      rmSync(join(f.dataDir, 'artifacts'), { recursive: true });
      writeFileSync(join(f.dataDir, 'artifacts'), '');
    }
    const model = randomBytes(16 * 1024);
    const put = await putArtifact(leader, keys.adminKey, model);
    for (const f of followers) {
      rmSync(join(f.dataDir, 'artifacts'));
      mkdirSync(join(f.dataDir, 'artifacts'));
    }
    expect(put.status).toBe(503);
    const error = put.body?.error;
    expect(error?.code).toBe('replication_failed');
    expect(error?.message).toMatch(
      /^artifact not stored: a majority needs 1 other member to store it, and 2 of 2 could not \(c\d: HTTP 500: could not store sha256:[0-9a-f]{64}: .*ENOTDIR.*; c\d: HTTP 500: .*\)$/,
    );
    expect(readdirSync(join(leader.dataDir, 'artifacts'))).toEqual([]);
  });

  it('acknowledges an upload once a majority has it, serves it from every member, and loses nothing when the leader is killed', async () => {
    const leader = await agreedLeader(members, keys.adminKey);
    const [follower, absent] = members.filter((m) => m !== leader) as [Member, Member];

    // With one follower down, the acknowledgement needs the other one's copy.
    await kill9(absent);
    const model = randomBytes(3 * 1024 * 1024);
    const hex = sha(model);
    const put = await putArtifact(leader, keys.adminKey, model);
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ ref: `sha256:${hex}`, size: model.length, created: true });
    expect(storedAt(follower, hex)).toBe(true);

    // Back, it lacks the file: asked for it, it fetches a copy from a peer and serves it itself.
    const returned = await restartMember(absent);
    members[members.indexOf(absent)] = returned;
    await waitUntilCaughtUp(returned, leader, keys.adminKey);
    expect(storedAt(returned, hex)).toBe(false);
    const fetched = await getArtifact(returned, keys.workerToken, hex);
    expect(fetched.status).toBe(200);
    expect(sha(fetched.bytes)).toBe(hex);
    expect(returned.output()).toContain(`fetched artifact sha256:${hex} from`);

    // With everyone up, the members the acknowledgement did not wait for get it in the background.
    const second = randomBytes(64 * 1024);
    expect((await putArtifact(leader, keys.adminKey, second)).status).toBe(201);
    await eventually(
      async () => members.every((m) => storedAt(m, sha(second))),
      'every member has the second artifact',
    );

    await kill9(leader);
    const survivors = members.filter((m) => m !== leader);
    const newLeader = await agreedLeader(survivors, keys.adminKey);
    for (const member of survivors) {
      for (const bytes of [model, second]) {
        const got = await getArtifact(member, keys.workerToken, sha(bytes));
        expect(got.status, `${member.id} serves sha256:${sha(bytes)}`).toBe(200);
        expect(sha(got.bytes)).toBe(sha(bytes));
      }
    }
    const submitted = await callMember<{ taskIds: string[] }>(
      newLeader,
      keys.adminKey,
      '/api/tasks/submit',
      {
        method: 'POST',
        body: {
          tasks: [
            {
              kind: 'model',
              payload: { model: `sha256:${hex}`, executionProvider: 'cpu', inputs: {} },
            },
          ],
        },
      },
    );
    expect(submitted.status).toBe(201);
  });

  it('refuses a peer request without the cluster secret', async () => {
    const member = members.find(isRunning)!;
    const res = await fetch(`${member.url}/api/raft/artifacts/${'0'.repeat(64)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.adminKey}`, 'x-dtf-raft-from': 'c1' },
      body: 'not a model',
    });
    expect(res.status).toBe(401);
  });

  it('answers a download name that is not a digest itself, asking no peer', async () => {
    const member = members.find(isRunning)!;
    const reply = await getArtifact(member, keys.adminKey, '..%2F..%2Ftasks%3Fx');
    expect(reply.status).toBe(404);
    expect(reply.bytes.toString()).toContain(
      'expected sha256:<64 hex digits>, or the 64 hex digits alone',
    );
  });
});
