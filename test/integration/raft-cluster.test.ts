import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskEvent } from '../../protocol/index.js';
import { PROTOCOL_VERSION, TERMINAL_STATES } from '../../protocol/index.js';
import { kill9, spawnDtf } from '../support/processes.js';
import {
  CLUSTER_TOKEN,
  eventually,
  memberStatus,
  nextLeader,
  restartMember,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

const TASKS = 200;
const AFTER_FAILOVER = 20;

const specs = (count: number, from: number) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'command' as const,
    name: `t${from + i}`,
    // Each run prints a nonce, so a second recorded result would show as a different stdout.
    payload: { command: 'sleep 0.02; echo "$$-$(date +%s%N)"', shell: true },
    group: 'raft',
  }));

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
    const members = await startRaftCluster(3);
    const leader = await nextLeader(members);
    await checkRaftRestPaths(leader.url);
    const urls = members.map((m) => m.wsUrl).join(',');
    // Workers are given every member; followers send them on to the leader.
    const workers = [1, 2].map((n) =>
      spawnDtf(['worker', '--coordinator', urls, '--slots', '4', '--name', `w${n}`]),
    );
    await Promise.all(workers.map((w) => w.waitFor(/DTF worker \S+ registered/)));

    const ended = new Map<string, TaskEvent[]>();
    const record = (events: TaskEvent[]) => {
      for (const e of events) {
        if (!TERMINAL_STATES.has(e.state)) continue;
        const list = ended.get(e.taskId) ?? [];
        list.push(e);
        ended.set(e.taskId, list);
      }
    };
    const client1 = await DtfClient.connect({ urls: [leader.wsUrl] });
    let enough!: () => void;
    const someEnded = new Promise<void>((resolve) => {
      enough = resolve;
    });
    await client1.subscribe({ group: 'raft' }, (events) => {
      record(events);
      if (ended.size >= 40) enough();
    });
    const ids = await client1.submit(specs(TASKS, 0));
    expect(new Set(ids).size).toBe(TASKS);
    // Submits were replicated: every member knows each task.
    await eventually(
      async () =>
        (await Promise.all(members.map(memberStatus))).every(
          (s) => Object.values(s.tasks).reduce((a, b) => a + b, 0) === TASKS,
        ),
      'every member has applied the submit',
    );

    await someEnded;
    const survivors = members.filter((m) => m !== leader);
    const next = nextLeader(survivors);
    await kill9(leader);
    await client1.close().catch(() => {});
    expect(ended.size).toBeLessThan(TASKS);

    const newLeader = await next;
    const client2 = await DtfClient.connect({ urls: [newLeader.wsUrl] });
    const subscription = await client2.subscribe({ group: 'raft' }, record);
    // Every acknowledged task survived the failover.
    expect(subscription.snapshot.map((e) => e.taskId).sort()).toEqual([...ids].sort());
    const more = await client2.submit(specs(AFTER_FAILOVER, TASKS));
    const final = await client2.waitFor({ group: 'raft' });
    expect(final).toHaveLength(TASKS + AFTER_FAILOVER);
    expect(final.filter((e) => e.state !== 'succeeded')).toEqual([]);

    const tasks = await client2.query({ group: 'raft', limit: 10_000 });
    expect(new Set(tasks.map((t) => t.id))).toEqual(new Set([...ids, ...more]));
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const [taskId, events] of ended) {
      // No task announced as ended twice, and the stored result is the one announced.
      expect(new Set(events.map((e) => JSON.stringify(e.result?.output))).size, taskId).toBe(1);
      expect(byId.get(taskId)!.result?.output).toEqual(events[0]!.result?.output);
    }
    // The follower that is left agrees with the new leader.
    const follower = survivors.find((m) => m !== newLeader)!;
    await eventually(async () => {
      const s = await memberStatus(follower);
      return s.role === 'follower' && s.tasks.succeeded === TASKS + AFTER_FAILOVER;
    }, 'the follower has applied every result');
    // A client given only the follower is redirected to the leader at the handshake.
    const viaFollower = await DtfClient.connect({ urls: [follower.wsUrl] });
    expect(viaFollower.url).toBe(newLeader.wsUrl);
    expect(await viaFollower.query({ group: 'raft', limit: 1 })).toHaveLength(1);
    await viaFollower.close();

    // The old leader comes back on its data dir as a follower and catches up.
    const back = await restartMember(leader);
    await eventually(async () => {
      const s = await memberStatus(back);
      return s.role === 'follower' && s.tasks.succeeded === TASKS + AFTER_FAILOVER;
    }, 'the restarted member has caught up').catch(async (error) => {
      console.log(JSON.stringify(await memberStatus(back)), back.output().slice(-3000));
      throw error;
    });
    await subscription.close();
    await client2.close();
  }, 90_000);
});
