import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { DB_FILE } from '../../coordinator/store/index.js';
import { kill9 } from '../support/processes.js';
import {
  clusterCredentials,
  eventually,
  firstLeader,
  type Member,
  memberStatus,
  restartMember,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

/** Small enough that a few dozen tasks make every member snapshot and compact several times. */
const SNAPSHOT_ENTRIES = 40;

const specs = (count: number, from: number) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'command' as const,
    name: `s${from + i}`,
    payload: { command: 'true' },
    group: 'snap',
  }));

/** A member's task rows, read from its database: what it applied, task by task. */
function taskRows(member: Member): unknown[] {
  const db = new Database(join(member.dataDir, DB_FILE), { readonly: true });
  try {
    return db
      .prepare('SELECT id, state, attempt, lease_token, worker_id, result FROM tasks ORDER BY seq')
      .all();
  } finally {
    db.close();
  }
}

/** The snapshot index a member started from, from its `state loaded` line. */
function startedFrom(member: Member): number {
  const match = /"snapshotIndex":(\d+)[^\n]*"msg":"state loaded"/.exec(member.output());
  if (match === null) throw new Error(`${member.id} logged no state loaded line`);
  return Number(match[1]);
}

describe('Raft snapshots and log compaction', () => {
  // Three members started, one killed and started twice, 60 tasks: over 60 s on a busy machine.
  // The limit only catches a hang.
  it('a follower the leader compacted past installs a snapshot, agrees on every task, and a restart replays only the tail', async () => {
    const members = await startRaftCluster(3, ['--snapshot-entries', String(SNAPSHOT_ENTRIES)]);
    const leader = await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    const status = async (member: Member) => (await memberStatus(member, adminKey)).raft!;
    const [follower, other] = members.filter((m) => m !== leader) as [Member, Member];
    const behindAt = (await status(follower)).lastIndex;
    await kill9(follower);

    await startClusterWorkers([leader], workerToken, 1);
    const client = await DtfClient.connect({ urls: [leader.wsUrl], token: adminKey });
    for (let batch = 0; batch < 6; batch++) await client.submit(specs(10, batch * 10));
    const ended = await client.waitFor({ group: 'snap' });
    expect(ended.filter((e) => e.state !== 'succeeded')).toEqual([]);
    expect(ended).toHaveLength(60);
    await eventually(
      async () => (await status(leader)).firstIndex > behindAt + 1,
      'the leader has compacted its log past the stopped follower',
    );
    await client.close();

    const back = await restartMember(follower);
    await back.waitFor(/"msg":"installed a state snapshot"/);
    const caughtUp = async (member: Member) => {
      const s = await memberStatus(member, adminKey).catch(() => undefined);
      return s?.tasks.succeeded === 60 && s.role !== 'leader';
    };
    await eventually(() => caughtUp(back), 'the returned follower has caught up');
    await eventually(() => caughtUp(other), 'the other follower has caught up');
    const rows = taskRows(leader);
    expect(rows).toHaveLength(60);
    expect(taskRows(back)).toEqual(rows);
    expect(taskRows(other)).toEqual(rows);

    // Restarted, it starts from its latest snapshot, not from the first entry.
    await kill9(back);
    const again = await restartMember(back);
    const from = startedFrom(again);
    const { commitIndex } = await status(leader);
    expect(from).toBeGreaterThan(behindAt);
    // Only the entries after its snapshot are applied again: at most the snapshot interval,
    // its tail and what arrived meanwhile, far fewer than the whole log.
    expect(commitIndex - from).toBeLessThan(commitIndex / 2);
    await eventually(() => caughtUp(again), 'the restarted member has caught up');
    expect(taskRows(again)).toEqual(rows);
  }, 240_000);
});
