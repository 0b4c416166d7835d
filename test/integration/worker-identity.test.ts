import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { workerLostReporter } from '../../cli/worker-lost-reporter.js';
import { DtfClient } from '../../client/index.js';
import { PROTOCOL_VERSION, type TaskEvent, type ToWorkerMessage } from '../../protocol/index.js';
import { nodeCapabilities } from '../support/fixtures.js';
import {
  type CoordinatorProcess,
  kill9,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import {
  clusterCredentials,
  firstLeader,
  nextLeader,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { RawSocket } from '../support/raw-socket.js';
import { errorOf, getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

interface WorkerView {
  id: string;
  status: string;
  running: string[];
}

async function workerOf(coordinator: CoordinatorProcess, id: string): Promise<WorkerView> {
  const { workers } = await getJson<{ workers: WorkerView[] }>(
    coordinator.url,
    '/api/workers',
    coordinator.adminKey,
  );
  const worker = workers.find((w) => w.id === id);
  if (worker === undefined) throw new Error(`no worker ${id}`);
  return worker;
}

/** A bare WebSocket with the worker token, as anyone holding the token can open one. */
function openWorkerSocket(coordinator: { wsUrl: string; workerToken: string }) {
  return RawSocket.open<ToWorkerMessage>(coordinator.wsUrl, coordinator.workerToken);
}

/** A `register` of `workerId` as a Node worker labelled `role=raw` sends it, plus `extra`. */
function register(workerId: string, extra: object = {}) {
  return {
    v: PROTOCOL_VERSION,
    type: 'register',
    id: 'r1',
    workerId,
    name: 'claimant',
    capabilities: nodeCapabilities({ taskKinds: ['command'] }),
    labels: { role: 'raw' },
    slots: 1,
    inFlight: [],
    ...extra,
  };
}

/** A coordinator, a `dtf worker`, and a task of its running (`sleep 2`). */
async function victimRunningATask() {
  const coordinator = await startCoordinatorProcess(tempDir());
  const victim = await startWorkerProcess(coordinator, { slots: 1, labels: { role: 'victim' } });
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  await client.subscribe({ group: 'victim' }, (events: TaskEvent[]) => {
    if (events.some((e) => e.state === 'running')) started();
  });
  const [taskId] = await client.submit([
    {
      kind: 'command',
      payload: { command: 'sleep', args: ['2'] },
      group: 'victim',
      requirements: { labels: { role: 'victim' } },
      retry: { maxRetries: 0 },
    },
  ]);
  await running;
  return { coordinator, victim, client, taskId: taskId! };
}

type Victim = Awaited<ReturnType<typeof victimRunningATask>>;

/** The victim is as it was: connected, running its task. */
async function expectStillRunning({ coordinator, victim, taskId }: Victim) {
  expect(await workerOf(coordinator, victim.workerId)).toMatchObject({
    status: 'connected',
    running: [taskId],
  });
}

/** The victim's task ends as if nobody had interfered: one attempt, on the victim, succeeded. */
async function expectUndisturbed(setup: Victim) {
  const { client, taskId, victim } = setup;
  const [final] = await client.waitFor({ taskIds: [taskId] });
  expect(final).toMatchObject({ state: 'succeeded', attempt: 1, workerId: victim.workerId });
  const [task] = await client.query({ taskIds: [taskId] });
  expect(task!.history).toEqual([]);
  expect(victim.output()).not.toMatch(/coordinator connection closed/);
}

describe("a worker's own secret: the worker token cannot speak for another worker", () => {
  it("a status 'lost' for another worker is refused; its own secret or the admin key is needed", async () => {
    const setup = await victimRunningATask();
    const { coordinator, victim } = setup;
    for (const secret of [undefined, 'dtf_ws_guessed']) {
      const response = await postJson(
        coordinator.url,
        '/api/workers/status',
        coordinator.workerToken,
        {
          workerId: victim.workerId,
          status: 'lost',
          reason: 'attack',
          ...(secret === undefined ? {} : { secret }),
        },
      );
      expect(response.status).toBe(403);
      const error = await errorOf(response);
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain(`worker '${victim.workerId}'`);
      // The refusal came after nothing was applied: the worker is as it was.
      await expectStillRunning(setup);
    }
    await expectUndisturbed(setup);

    const asAdmin = await postJson(coordinator.url, '/api/workers/status', coordinator.adminKey, {
      workerId: victim.workerId,
      status: 'lost',
      reason: 'decommissioned',
    });
    expect(asAdmin.status).toBe(200);
    expect((await workerOf(coordinator, victim.workerId)).status).toBe('dead');
    await setup.client.close();
  });

  it("a register with another worker's id is refused and leaves that worker's connection and attempt alone", async () => {
    const setup = await victimRunningATask();
    const { coordinator, victim } = setup;
    const claimant = await openWorkerSocket(coordinator);
    for (const secret of [undefined, 'dtf_ws_guessed']) {
      claimant.send(register(victim.workerId, secret === undefined ? {} : { secret }));
      const answer = await claimant.first();
      expect(answer).toMatchObject({ type: 'error', id: 'r1', code: 'forbidden' });
      expect(answer.type === 'error' && answer.message).toContain(`worker '${victim.workerId}'`);
    }
    await expectStillRunning(setup);
    await expectUndisturbed(setup);
    claimant.socket.close();
    await setup.client.close();
  });

  it('a worker gets its secret once, takes its id back with it, and a pool reports its own member lost', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    const workerId = 'page-worker-1';
    const first = await openWorkerSocket(coordinator);
    first.send(register(workerId));
    const registered = await first.next('registered');
    const secret = registered.secret!;
    expect(secret).toMatch(/^dtf_ws_/);
    first.socket.terminate();

    // A reconnect presents the secret and gets the same worker back, with no new secret.
    const again = await openWorkerSocket(coordinator);
    again.send(register(workerId, { secret }));
    const back = await again.next('registered');
    expect(back.workerId).toBe(workerId);
    expect(back).not.toHaveProperty('secret');

    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    const [taskId] = await client.submit([
      {
        kind: 'command',
        payload: { command: 'true' },
        requirements: { labels: { role: 'raw' } },
      },
    ]);
    const assigned = await again.next('assign');
    expect(assigned.tasks.map((task) => task.taskId)).toEqual([taskId]);

    // The pool reads the id and the secret from its page and reports the crash with them.
    const logger = pino({ level: 'silent' });
    workerLostReporter(
      [coordinator.url],
      coordinator.workerToken,
      logger,
    )({ workerId, secret }, 'chromium 1/1: browser disconnected');
    await vi.waitFor(
      async () => expect((await workerOf(coordinator, workerId)).status).toBe('dead'),
      { timeout: 10_000, interval: 50 },
    );
    const [task] = await client.query({ taskIds: [taskId!] });
    expect(task!.history[0]).toMatchObject({
      attempt: 1,
      reason: expect.stringMatching(/reported lost: chromium 1\/1: browser disconnected/),
    });
    again.socket.close();
    await client.close();
  });

  it('a coordinator restarted on the same data dir accepts the secret it issued before', async () => {
    const dataDir = tempDir();
    const before = await startCoordinatorProcess(dataDir);
    const workerId = 'survivor-1';
    const first = await openWorkerSocket(before);
    first.send(register(workerId));
    const { secret } = await first.next('registered');
    first.socket.terminate();
    before.child.kill('SIGTERM');
    await before.exited;

    const after = await startCoordinatorProcess(dataDir);
    const wrong = await openWorkerSocket(after);
    wrong.send(register(workerId));
    expect(await wrong.first()).toMatchObject({ type: 'error', code: 'forbidden' });
    const right = await openWorkerSocket(after);
    right.send(register(workerId, { secret }));
    expect(await right.first()).toMatchObject({ type: 'registered', workerId });
    wrong.socket.close();
    right.socket.close();
  });

  it('in a cluster, a follower that becomes the leader accepts the secret the old leader issued', async () => {
    const members = await startRaftCluster(3);
    const leader = await firstLeader(members);
    const { workerToken } = await clusterCredentials(members);
    const workerId = 'cluster-worker-1';
    const first = await openWorkerSocket({ wsUrl: leader.wsUrl, workerToken });
    first.send(register(workerId));
    const { secret } = await first.next('registered');
    expect(secret).toMatch(/^dtf_ws_/);

    const others = members.filter((m) => m !== leader);
    const electing = nextLeader(others);
    await kill9(leader);
    const successor = await electing;
    const claimant = await openWorkerSocket({ wsUrl: successor.wsUrl, workerToken });
    claimant.send(register(workerId));
    expect(await claimant.first()).toMatchObject({ type: 'error', code: 'forbidden' });
    const back = await openWorkerSocket({ wsUrl: successor.wsUrl, workerToken });
    back.send(register(workerId, { secret }));
    expect(await back.first()).toMatchObject({ type: 'registered', workerId });
    claimant.socket.close();
    back.socket.close();
  });
});
