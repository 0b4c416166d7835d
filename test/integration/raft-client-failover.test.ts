import { describe, expect, it } from 'vitest';
import { DtfClient, type ReconnectEvent } from '../../client/index.js';
import { type TaskSpecInput, TERMINAL_STATES } from '../../protocol/index.js';
import { EndedTasks } from '../support/ended-tasks.js';
import { kill9, spawnDtf } from '../support/processes.js';
import {
  clusterCredentials,
  firstLeader,
  nextLeader,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { TaskGate } from '../support/task-gate.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

const GROUP = 'client-failover';

/** The first tasks end at once; the rest wait at the gate, opened once a new leader is elected. */
const ENDED_BEFORE_KILL = 20;
const gate = new TaskGate();

/** Tasks none of which may be retried: an attempt lost to the failover fails its task. */
function tasks(count: number, from: number): TaskSpecInput[] {
  return Array.from({ length: count }, (_, i) => {
    // A nonce per run: a second recorded result would show as a different stdout.
    const nonce = 'echo "$$-$(date +%s%N)"';
    const gated = from + i >= ENDED_BEFORE_KILL;
    return {
      kind: 'command',
      name: `t${from + i}`,
      payload: { command: gated ? gate.command(nonce) : nonce, shell: true },
      group: GROUP,
      retry: { maxRetries: 0 },
    };
  });
}

describe('a client given every member of a Raft cluster', () => {
  it('follows its tasks through a SIGKILL of the leader, reporting each end once, and submits after it; so does dtf wait', async () => {
    // No task may be retried, so no worker may be taken for dead: on a loaded machine a worker
    // can miss the default 600 ms here without being gone.
    const members = await startRaftCluster(3, ['--heartbeat-misses', '15']);
    const leader = await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    await startClusterWorkers(members, workerToken, 2);

    const reconnects: ReconnectEvent[] = [];
    const client = await DtfClient.connect({
      urls: members.map((m) => m.wsUrl),
      token: adminKey,
      onReconnect: (event) => reconnects.push(event),
    });
    expect(client.url).toBe(leader.wsUrl);
    const ended = new EndedTasks();
    await client.subscribe({ group: GROUP }, ended.record);
    const ids = await client.submit(tasks(100, 0));
    const reportedEnds = new Map<string, number>();
    const waited = client.waitFor(
      { taskIds: ids },
      {
        onEvent: (event) => {
          if (!TERMINAL_STATES.has(event.state)) return;
          reportedEnds.set(event.taskId, (reportedEnds.get(event.taskId) ?? 0) + 1);
        },
      },
    );

    // The CLI follows the same tasks, given every member too.
    const cliWait = spawnDtf([
      'wait',
      GROUP,
      '--coordinator',
      members.map((m) => m.wsUrl).join(','),
      '--token',
      adminKey,
    ]);
    await cliWait.waitFor(/ done · /);

    await ended.waitForCount(ENDED_BEFORE_KILL);
    const next = nextLeader(members.filter((m) => m !== leader));
    // In flight as the leader dies: it may or may not have been committed there.
    const duringKill = client.submit(tasks(10, 100));
    await kill9(leader);
    expect(ended.count).toBe(ENDED_BEFORE_KILL);
    const newLeader = await next;
    gate.open();
    // Submitted as soon as a new leader is elected, before the workers may have found it: it
    // must not place them on a worker that has not reconnected to it yet.
    const afterElection = client.submit(tasks(10, 110));

    const final = await waited;
    expect(final.map((e) => e.taskId).sort()).toEqual([...ids].sort());
    expect(final.filter((e) => e.state !== 'succeeded')).toEqual([]);
    expect([...reportedEnds.values()].every((times) => times === 1)).toBe(true);
    expect(reportedEnds.size).toBe(100);
    expect(reconnects[0]?.lostUrl).toBe(leader.wsUrl);
    expect(reconnects.at(-1)?.url).toBe(newLeader.wsUrl);

    expect(await cliWait.exited, cliWait.output()).toBe(0);
    expect(cliWait.output()).toContain(`connection to ${leader.wsUrl} lost`);
    expect(cliWait.output()).toContain(`reconnected to leader ${newLeader.wsUrl}`);

    const inFlightIds = await duringKill;
    const afterIds = await afterElection;
    const rest = await client.waitFor({ taskIds: [...inFlightIds, ...afterIds] });
    expect(rest.filter((e) => e.state !== 'succeeded')).toEqual([]);

    // The submit repeated at the new leader created no second copy of its tasks.
    const stored = await client.query({ group: GROUP, limit: 10_000 });
    expect(stored).toHaveLength(120);
    // No attempt was charged to the failover: running ones were finished and reported to the
    // new leader, and none was placed where it could not arrive.
    expect(stored.filter((task) => task.history.some((h) => h.charged !== false))).toEqual([]);
    // The subscription announced every end once, with the result the cluster stored.
    const byId = new Map(stored.map((task) => [task.id, task]));
    await ended.waitForCount(120);
    for (const [taskId, events] of ended.announced) {
      expect(events, taskId).toHaveLength(1);
      expect(byId.get(taskId)?.result?.output, taskId).toEqual(events[0]!.result?.output);
    }
    await client.close();
  });
});
