import { expect } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { EndedTasks } from './ended-tasks.js';
import { kill9 } from './processes.js';
import {
  type ClusterCredentials,
  clusterCredentials,
  eventually,
  firstLeader,
  type Member,
  memberStatus,
  nextLeader,
  restartMember,
  startClusterWorkers,
  startRaftCluster,
} from './raft-cluster.js';
import { TaskGate } from './task-gate.js';

export interface LeaderKillOptions {
  tasks: number;
  /** Tasks submitted to the new leader. */
  afterFailover: number;
  /** The leader is killed once this many tasks have ended. */
  killAfterEnded: number;
  /** Runs once the first leader is known and the credentials exist, before any worker or task. */
  onLeader?: (leader: Member, members: Member[], keys: ClusterCredentials) => Promise<void>;
}

/**
 * Tasks that print a nonce (the time in ns), so a second recorded result would show as a
 * different stdout: one process a task, no shell, keeps thousands of them cheap. Those from
 * `gate.from` on wait at the gate first.
 */
const specs = (count: number, from: number, gate?: { at: TaskGate; from: number }) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'command' as const,
    name: `t${from + i}`,
    payload:
      gate !== undefined && from + i >= gate.from
        ? { command: gate.at.command('date +%s%N'), shell: true }
        : { command: 'date', args: ['+%s%N'] },
    group: 'raft',
    // Not retried: an attempt lost to the failover would fail its task.
    retry: { maxRetries: 0 },
  }));

/**
 * Three coordinator processes and two workers; tasks submitted through the leader; the leader
 * killed with SIGKILL mid-run. Checks that a new leader is elected and accepts submits, that
 * every acknowledged task ends exactly once and none loses an attempt to the failover, that the remaining follower agrees, that a client
 * given only the follower reaches the leader, and that the killed member catches up on return.
 */
export async function leaderKillScenario(options: LeaderKillOptions): Promise<void> {
  const { tasks, afterFailover, killAfterEnded } = options;
  // A generous heartbeat allowance: on a busy machine a worker descheduled for 0.7 s was
  // expired and its unretried tasks failed, which is not what this scenario is about.
  const members = await startRaftCluster(3, ['--heartbeat-misses', '15']);
  const leader = await firstLeader(members);
  // One admin key and one worker token for the whole cluster, created by a leader.
  const keys = await clusterCredentials(members);
  const { adminKey, workerToken } = keys;
  const status = (member: Member) => memberStatus(member, adminKey);
  await options.onLeader?.(leader, members, keys);
  // Workers are given every member; followers send them on to the leader.
  await startClusterWorkers(members, workerToken, 2);

  const ended = new EndedTasks();
  const client1 = await DtfClient.connect({ urls: [leader.wsUrl], token: adminKey });
  await client1.subscribe({ group: 'raft' }, ended.record);
  // The tasks after the first `killAfterEnded` wait until a new leader is elected: however
  // late this client reads its events, the leader dies with tasks running and queued.
  const gate = new TaskGate();
  const ids = await client1.submit(specs(tasks, 0, { at: gate, from: killAfterEnded }));
  expect(new Set(ids).size).toBe(tasks);
  // Submits were replicated: every member knows each task.
  await eventually(
    async () =>
      (await Promise.all(members.map(status))).every(
        (s) => Object.values(s.tasks).reduce((a, b) => a + b, 0) === tasks,
      ),
    'every member has applied the submit',
    // Thousands of entries replicated and applied by three processes on a busy machine.
    120_000,
  );

  await ended.waitForCount(killAfterEnded);
  const survivors = members.filter((m) => m !== leader);
  const next = nextLeader(survivors);
  await kill9(leader);
  await client1.close().catch(() => {});
  expect(ended.count).toBe(killAfterEnded);

  const newLeader = await next;
  gate.open();
  const client2 = await DtfClient.connect({ urls: [newLeader.wsUrl], token: adminKey });
  const subscription = await client2.subscribe({ group: 'raft' }, ended.record);
  // Every acknowledged task survived the failover.
  expect(subscription.snapshot.map((e) => e.taskId).sort()).toEqual([...ids].sort());
  const more = await client2.submit(specs(afterFailover, tasks));
  const final = await client2.waitFor({ group: 'raft' });
  expect(final).toHaveLength(tasks + afterFailover);
  expect(final.filter((e) => e.state !== 'succeeded')).toEqual([]);

  const stored = await client2.query({ group: 'raft', limit: 10_000 });
  expect(new Set(stored.map((t) => t.id))).toEqual(new Set([...ids, ...more]));
  // None was charged an attempt: the new leader placed nothing on a worker not yet back.
  expect(stored.filter((t) => t.history.some((h) => h.charged !== false))).toEqual([]);
  const byId = new Map(stored.map((t) => [t.id, t]));
  for (const [taskId, events] of ended.announced) {
    // No task announced as ended twice, and the stored result is the one announced.
    expect(new Set(events.map((e) => JSON.stringify(e.result?.output))).size, taskId).toBe(1);
    expect(byId.get(taskId)!.result?.output).toEqual(events[0]!.result?.output);
  }
  // The follower that is left agrees with the new leader.
  const follower = survivors.find((m) => m !== newLeader)!;
  await eventually(async () => {
    const s = await status(follower);
    return s.role === 'follower' && s.tasks.succeeded === tasks + afterFailover;
  }, 'the follower has applied every result');
  // A client given only the follower is redirected to the leader at the handshake.
  const viaFollower = await DtfClient.connect({ urls: [follower.wsUrl], token: adminKey });
  expect(viaFollower.url).toBe(newLeader.wsUrl);
  expect(await viaFollower.query({ group: 'raft', limit: 1 })).toHaveLength(1);
  await viaFollower.close();

  // The old leader comes back on its data dir as a follower and catches up.
  const back = await restartMember(leader);
  await eventually(async () => {
    // Until its replay reaches the credentials entry it answers 503.
    const s = await status(back).catch(() => undefined);
    if (s === undefined) return false;
    return s.role === 'follower' && s.tasks.succeeded === tasks + afterFailover;
  }, 'the restarted member has caught up').catch(async (error) => {
    throw new Error(
      `${error}: ${JSON.stringify(await status(back).catch(String))}\n${back.output().slice(-3000)}`,
    );
  });
  await subscription.close();
  await client2.close();
}
