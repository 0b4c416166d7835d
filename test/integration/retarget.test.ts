import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type {
  RestWorkersResponse,
  RetargetReply,
  TaskSpecInput,
  TaskView,
} from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  kill9,
  reservePort,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import {
  callMember,
  clusterCredentials,
  eventually,
  firstLeader,
  nextLeader,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { errorOf, getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const pinnedTo = (workerId: string, name: string): TaskSpecInput => ({
  kind: 'command',
  name,
  payload: { command: 'true' },
  requirements: { workers: [workerId] },
});

/** Runs on `workerId` until the file `marker` exists. */
const blockerOn = (workerId: string, marker: string): TaskSpecInput => ({
  kind: 'command',
  name: 'blocker',
  payload: { command: 'while [ ! -e "$1" ]; do sleep 0.02; done', args: [marker], shell: true },
  requirements: { workers: [workerId] },
});

async function submit(coordinator: CoordinatorProcess, tasks: TaskSpecInput[]): Promise<string[]> {
  const response = await postJson(coordinator.url, '/api/tasks/submit', coordinator.adminKey, {
    tasks,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { taskIds: string[] }).taskIds;
}

function task(coordinator: CoordinatorProcess, id: string): Promise<TaskView> {
  return getJson<TaskView>(coordinator.url, `/api/tasks/${id}`, coordinator.adminKey);
}

async function workerStatus(coordinator: CoordinatorProcess, id: string): Promise<string> {
  const { workers } = await getJson<RestWorkersResponse>(
    coordinator.url,
    '/api/workers',
    coordinator.adminKey,
  );
  return workers.find((worker) => worker.id === id)?.status ?? 'unknown';
}

describe('retargeting tasks', () => {
  it('tasks pinned to a drained worker wait saying so, and run on the worker they are retargeted to, also after a restart', async () => {
    const dataDir = tempDir();
    const port = await reservePort();
    let coordinator = await startCoordinatorProcess(dataDir, { port });
    const a = await startWorkerProcess(coordinator, { name: 'node-a', slots: 1 });
    const b = await startWorkerProcess(coordinator, { name: 'node-b', slots: 1 });
    const marker = join(tempDir(), 'go');

    // One task that ends on B, then one that keeps B's only slot until the marker exists.
    const [ended] = await submit(coordinator, [pinnedTo(b.workerId, 'ended')]);
    await eventually(
      async () => (await task(coordinator, ended!)).state === 'succeeded',
      'the first task succeeded',
    );
    const [blocker] = await submit(coordinator, [blockerOn(b.workerId, marker)]);
    await eventually(
      async () => (await task(coordinator, blocker!)).state === 'running',
      'the blocker runs on B',
    );

    const drain = await postJson(
      coordinator.url,
      `/api/workers/${a.workerId}/drain`,
      coordinator.adminKey,
      {},
    );
    expect(drain.status).toBe(200);
    expect(await a.exitWithin(20_000, 'worker A draining')).toBe(0);
    await eventually(
      async () => (await workerStatus(coordinator, a.workerId)) === 'drained',
      'A is drained',
    );

    const pinned = await submit(coordinator, [
      pinnedTo(a.workerId, 'p1'),
      pinnedTo(a.workerId, 'p2'),
    ]);
    for (const id of pinned) {
      expect(await task(coordinator, id)).toMatchObject({
        state: 'queued',
        unschedulable: `unschedulable: of the workers it may run on, node-a (${a.workerId.slice(0, 8)}) is drained`,
      });
    }

    const refused = await postJson(coordinator.url, '/api/tasks/retarget', coordinator.adminKey, {
      taskIds: pinned,
      requirements: { workers: [] },
    });
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).message).toMatch(/requirements\.workers/);
    const byWorkerToken = await postJson(
      coordinator.url,
      '/api/tasks/retarget',
      coordinator.workerToken,
      { taskIds: pinned, requirements: { workers: [b.workerId] } },
    );
    expect(byWorkerToken.status).toBe(403);

    const retargeted = await postJson(
      coordinator.url,
      '/api/tasks/retarget',
      coordinator.adminKey,
      {
        taskIds: [...pinned, 'no-such-task', ended!],
        requirements: { workers: [b.workerId] },
      },
    );
    expect(retargeted.status).toBe(200);
    expect((await retargeted.json()) as RetargetReply).toEqual({
      retargeted: pinned,
      revoked: [],
      notFound: ['no-such-task'],
      ended: [{ taskId: ended, state: 'succeeded' }],
    });
    // B is busy with the blocker: they wait on B for its slot (pinned to B alone, they may, two
    // per slot); an ordinary wait for a slot, nothing to explain.
    const expectWaitingForB = async () => {
      const views = await Promise.all(pinned.map((id) => task(coordinator, id)));
      for (const view of views) {
        expect(view.spec.requirements.workers).toEqual([b.workerId]);
      }
      expect(views.map((view) => view.state)).toEqual(['assigned', 'assigned']);
      return views;
    };
    for (const view of await expectWaitingForB()) expect(view.unschedulable).toBeUndefined();

    // A kill -9 and a restart keep what the retarget stored.
    await kill9(coordinator);
    coordinator = await startCoordinatorProcess(dataDir, { port });
    await expectWaitingForB();

    // The same through the SDK, on the restarted coordinator.
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    try {
      const later = await client.submit([pinnedTo(a.workerId, 'p3')]);
      const [waiting] = await client.query({ taskIds: later });
      expect(waiting?.unschedulable).toMatch(/node-a \(\w+\) is drained/);
      expect(await client.retarget(later, { workers: [b.workerId] })).toEqual({
        retargeted: later,
        revoked: [],
        notFound: [],
        ended: [],
      });

      writeFileSync(marker, '');
      const all = [blocker!, ...pinned, ...later];
      const ends = await client.waitFor({ taskIds: all });
      expect(ends.map((end) => [end.state, end.workerId])).toEqual(
        all.map(() => ['succeeded', b.workerId]),
      );
    } finally {
      await client.close();
    }
  });

  it('a task whose worker was killed waits, queued, naming it dead, and runs as soon as it is retargeted', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    const a = await startWorkerProcess(coordinator, { name: 'node-a', slots: 1 });
    const b = await startWorkerProcess(coordinator, { name: 'node-b', slots: 1 });
    const marker = join(tempDir(), 'go');
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    try {
      const [id] = await client.submit([blockerOn(a.workerId, marker)]);
      await eventually(
        async () => (await task(coordinator, id!)).state === 'running',
        'the task runs on A',
      );
      await kill9(a);
      await eventually(
        async () => (await task(coordinator, id!)).unschedulable !== undefined,
        'the task waits, explained',
      );
      expect(await task(coordinator, id!)).toMatchObject({
        state: 'queued',
        failures: 1,
        unschedulable: `unschedulable: of the workers it may run on, node-a (${a.workerId.slice(0, 8)}) is dead`,
      });

      writeFileSync(marker, '');
      const reply = await client.retarget([id!], { workers: [b.workerId] });
      expect(reply.retargeted).toEqual([id]);
      const [end] = await client.waitFor({ taskIds: [id!] });
      expect(end).toMatchObject({ state: 'succeeded', workerId: b.workerId, attempt: 2 });
    } finally {
      await client.close();
    }
  });

  it('in a 3-member cluster, a retarget after a leader change is committed and placed by the new leader', async () => {
    const members = await startRaftCluster(3, ['--heartbeat-misses', '15']);
    const leader = await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    await startClusterWorkers(members, workerToken, 1, 2);
    const client = await DtfClient.connect({ urls: members.map((m) => m.wsUrl), token: adminKey });
    try {
      const ids = await client.submit([pinnedTo('gone', 'c1'), pinnedTo('gone', 'c2')]);
      const views = await client.query({ taskIds: ids });
      expect(views.map((view) => view.unschedulable)).toEqual(
        ids.map(() => 'unschedulable: of the workers it may run on, "gone" is not registered'),
      );

      const survivors = members.filter((m) => m !== leader);
      const next = nextLeader(survivors);
      await kill9(leader);
      const newLeader = await next;
      const listed = await callMember<RestWorkersResponse>(newLeader, adminKey, '/api/workers');
      if (listed.body?.error !== undefined) throw new Error(listed.body.error.message);
      const worker = listed.body?.workers[0];
      expect(worker?.name).toBe('w1');

      // Sent to the new leader once the client has found it.
      const reply = await client.retarget(ids, { workers: [worker!.id] });
      expect(reply.retargeted).toEqual(ids);
      const ends = await client.waitFor({ taskIds: ids });
      expect(ends.map((end) => [end.state, end.workerId])).toEqual(
        ids.map(() => ['succeeded', worker!.id]),
      );
      // Replicated: the other member has the new requirements too.
      const follower = survivors.find((m) => m !== newLeader)!;
      const seen = await callMember<TaskView>(follower, adminKey, `/api/tasks/${ids[0]}`);
      expect(seen.body).toMatchObject({ spec: { requirements: { workers: [worker!.id] } } });
    } finally {
      await client.close();
    }
  });
});
