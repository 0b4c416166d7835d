import { beforeAll, describe, expect, it } from 'vitest';
import { kill9 } from '../support/processes.js';
import {
  agreedLeader,
  callMember,
  clusterCredentials,
  eventually,
  LEADER_WAIT_MS,
  type Member,
  memberStatus,
  restartMember,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

const GROUP = 'reads';

interface TaskView {
  id: string;
  state: string;
}

let members: Member[];
let adminKey: string;
/** Every task a submit acknowledged. */
const acknowledged: string[] = [];

const task = (name: string, idempotencyKey?: string) => ({
  kind: 'command',
  name,
  payload: { command: 'true' },
  group: GROUP,
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

async function submitAt(member: Member, name: string): Promise<string> {
  const reply = await callMember<{ taskIds: string[] }>(member, adminKey, '/api/tasks/submit', {
    method: 'POST',
    body: { tasks: [task(name)] },
  });
  if (reply.status !== 201 || reply.body?.error !== undefined) {
    throw new Error(`submit at ${member.id}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  const [id] = reply.body!.taskIds;
  acknowledged.push(id!);
  return id!;
}

async function groupAt(member: Member): Promise<string[]> {
  const reply = await callMember<{ tasks: TaskView[] }>(
    member,
    adminKey,
    `/api/tasks?group=${GROUP}&limit=10000`,
  );
  expect(reply.status, `${member.id}: ${JSON.stringify(reply.body)}`).toBe(200);
  return reply.body!.error === undefined ? reply.body!.tasks.map((t) => t.id) : [];
}

beforeAll(async () => {
  members = await startRaftCluster(3);
  ({ adminKey } = await clusterCredentials(members));
}, 60_000);

describe('reads on every member of a Raft cluster', () => {
  it('a follower gates every spelling of a read, refuses strangers first, and survives a malformed path', async () => {
    const leader = await agreedLeader(members, adminKey);
    const follower = members.find((m) => m !== leader)!;
    const id = await submitAt(leader, 'spellings');
    // Served at the follower after a ReadIndex, as Express would route them, not redirected.
    for (const path of ['/API/Tasks', '/api/workers/']) {
      expect((await callMember(follower, adminKey, path)).status, path).toBe(200);
    }
    const result = await callMember(follower, adminKey, `/api/Results/${id}/`);
    expect(result).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const rounds = (await memberStatus(follower, adminKey)).raft!.readRounds;
    expect((await callMember(follower, 'not-the-key', '/api/tasks')).status).toBe(401);
    expect((await memberStatus(follower, adminKey)).raft!.readRounds).toBe(rounds);
    for (const member of [follower, leader]) {
      const malformed = await callMember(member, adminKey, '/api/tasks/%E0');
      expect(malformed.status, `${member.id}: ${JSON.stringify(malformed.body)}`).toBe(400);
      expect((await memberStatus(member, adminKey)).role).toBeDefined();
    }
  });

  it('a task submitted at the leader can be read at once from every follower', async () => {
    const leader = await agreedLeader(members, adminKey);
    const followers = members.filter((m) => m !== leader);
    for (let i = 0; i < 20; i++) {
      const id = await submitAt(leader, `ryw-${i}`);
      const reads = await Promise.all(
        followers.map((f) => callMember<TaskView>(f, adminKey, `/api/tasks/${id}`)),
      );
      for (const [n, read] of reads.entries()) {
        expect(read.status, `${followers[n]!.id} read ${id}`).toBe(200);
        expect(read.body).toMatchObject({ id });
      }
    }
    for (const follower of followers) {
      // Lists, results and workers are served here too, not redirected.
      expect(new Set(await groupAt(follower))).toEqual(new Set(acknowledged));
      expect((await callMember(follower, adminKey, '/api/workers')).status).toBe(200);
      const result = await callMember(follower, adminKey, `/api/results/${acknowledged[0]}`);
      expect(result).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(result.body?.error?.message).toContain('has no result yet');
      // Writes, and what is not replicated state, still go to the leader.
      const write = await callMember(follower, adminKey, '/api/tasks/submit', {
        method: 'POST',
        body: { tasks: [task('via-follower')] },
      });
      expect(write).toMatchObject({ status: 307, location: `${leader.url}/api/tasks/submit` });
      expect((await callMember(follower, adminKey, '/api/metrics')).status).toBe(307);
      const transfer = await callMember(follower, adminKey, '/api/raft/transfer_leadership', {
        method: 'POST',
        body: {},
      });
      expect(transfer.location).toBe(`${leader.url}/api/raft/transfer_leadership`);
    }
    // A bad transfer request is refused by the leader, naming the problem.
    const bad = await callMember(leader, adminKey, '/api/raft/transfer_leadership', {
      method: 'POST',
      body: { to: 'c9' },
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_message' } } });
    expect(bad.body?.error?.message).toContain("cannot hand leadership to 'c9'");
    // An admin moves leadership on request.
    const to = followers[0]!.id;
    const moved = await callMember(leader, adminKey, '/api/raft/transfer_leadership', {
      method: 'POST',
      body: { to },
    });
    expect(moved).toMatchObject({ status: 200, body: { from: leader.id, to, leader: to } });
    expect((await agreedLeader(members, adminKey)).id).toBe(to);
  });

  it('a run recorded at the leader is in the results store of every follower at once', async () => {
    const leader = await agreedLeader(members, adminKey);
    const followers = members.filter((m) => m !== leader);
    const opened = await callMember(leader, adminKey, '/api/runs', {
      method: 'POST',
      body: { id: 'run-1', suite: 'replicated', meta: { commit: 'abc1234' } },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const results = [{ test: 't', kind: 'vitest', status: 'passed', durationMs: 3 }];
    const ended = await callMember(leader, adminKey, '/api/runs/run-1/results', {
      method: 'POST',
      body: { results, end: { status: 'passed' } },
    });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    for (const follower of followers) {
      const read = await callMember(follower, adminKey, '/api/results?suite=replicated');
      expect(read).toMatchObject({
        status: 200,
        body: { results: [{ test: 't', runId: 'run-1', commit: 'abc1234' }] },
      });
      const runs = await callMember(follower, adminKey, '/api/runs/run-1');
      expect(runs.body).toMatchObject({ run: { status: 'passed', counts: { results: 1 } } });
      const write = await callMember(follower, adminKey, '/api/runs', {
        method: 'POST',
        body: { id: 'run-2', suite: 'replicated' },
      });
      expect(write).toMatchObject({ status: 307, location: `${leader.url}/api/runs` });
    }
  });

  it('SIGTERM on the leader hands leadership over; nothing acknowledged is lost; it rejoins as a follower', async () => {
    const leader = await agreedLeader(members, adminKey);
    const survivors = members.filter((m) => m !== leader);
    for (let i = 0; i < 10; i++) await submitAt(leader, `before-stop-${i}`);

    const stoppedAt = performance.now();
    leader.child.kill('SIGTERM');
    // The same idempotency key each time: a try answered `not_leader` may still take effect.
    let newLeader: Member | undefined;
    let acceptedId: string | undefined;
    await eventually(
      async () => {
        for (const m of survivors) {
          const reply = await callMember<{ taskIds: string[] }>(m, adminKey, '/api/tasks/submit', {
            method: 'POST',
            body: { tasks: [task('after-stop', 'after-stop')] },
          });
          if (reply.status === 201 && reply.body?.error === undefined) {
            newLeader = m;
            acceptedId = reply.body!.taskIds[0];
            return true;
          }
        }
        return false;
      },
      'a remaining member accepts a write',
      LEADER_WAIT_MS,
      5,
    );
    const handOverMs = performance.now() - stoppedAt;
    acknowledged.push(acceptedId!);
    console.info(
      `SIGTERM on ${leader.id}: ${newLeader!.id} accepted a write ${handOverMs.toFixed(0)} ms later`,
    );
    expect(await leader.exited).toBe(0);
    // The stopping leader handed over to the member that took the write, before it exited.
    // How fast that is depends on the machine's load, so the time is only printed.
    expect(leader.output()).toContain(`"msg":"handed leadership over to ${newLeader!.id}"`);
    expect(new Set(await groupAt(newLeader!))).toEqual(new Set(acknowledged));

    const back = await restartMember(leader);
    members = members.map((m) => (m === leader ? back : m));
    await eventually(async () => {
      const s = await memberStatus(back, adminKey).catch(() => undefined);
      return s?.role === 'follower' && s.raft?.leader === newLeader!.id;
    }, 'the stopped member is back as a follower');
    expect(new Set(await groupAt(back))).toEqual(new Set(acknowledged));
  });

  it('after kill -9 of the leader, a follower’s read waits for the new leader or fails with 503, never stale', async () => {
    const leader = await agreedLeader(members, adminKey);
    const followers = members.filter((m) => m !== leader);
    const id = await submitAt(leader, 'last-before-kill');
    await kill9(leader);
    const killedAt = performance.now();
    const reads = await Promise.all(
      followers.map((f) => callMember<TaskView>(f, adminKey, `/api/tasks/${id}`)),
    );
    for (const read of reads) {
      if (read.status === 200) {
        expect(read.body).toMatchObject({ id });
      } else {
        expect(read).toMatchObject({ status: 503, body: { error: { code: 'not_leader' } } });
        expect(read.body?.error?.message).toMatch(/no leader is known|did not confirm the read/);
      }
    }
    console.info(
      `reads at the followers right after kill -9: ${reads.map((r) => r.status)} after ${(performance.now() - killedAt).toFixed(0)} ms`,
    );
    // Once the survivors have a leader, every read is served, with every acknowledged task.
    await agreedLeader(followers, adminKey);
    for (const follower of followers) {
      expect(new Set(await groupAt(follower))).toEqual(new Set(acknowledged));
    }
  });
});
