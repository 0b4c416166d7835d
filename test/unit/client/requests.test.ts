import { describe, expect, it } from 'vitest';
import { CoordinatorError, DtfClient } from '../../../client/index.js';
import { MAX_TASKS_PER_SUBMIT, type TaskSpecInput } from '../../../protocol/index.js';
import { closeAfterEach } from '../../support/close-after-each.js';
import { type FakeCoordinator, reply, startFakeCoordinator } from './fake-coordinator.js';

const echoTask: TaskSpecInput = { kind: 'command', payload: { command: 'echo' } };

describe('DtfClient requests', () => {
  const opened = closeAfterEach({
    client: (client: DtfClient) => client.close(),
    fake: (fake: FakeCoordinator) => fake.close(),
  });

  it('splits a large submit into chunks the protocol allows and keeps the id order', async () => {
    let next = 0;
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) => {
        const tasks = request.tasks as unknown[];
        reply(socket, {
          type: 'submitted',
          id: request.id,
          taskIds: tasks.map(() => `t${next++}`),
        });
      }),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const ids = await client.submit(
      Array.from({ length: MAX_TASKS_PER_SUBMIT + 1 }, () => echoTask),
    );
    expect(fake.received.map((r) => (r.tasks as unknown[]).length)).toEqual([
      MAX_TASKS_PER_SUBMIT,
      1,
    ]);
    expect(ids).toHaveLength(MAX_TASKS_PER_SUBMIT + 1);
    expect(ids.at(-1)).toBe(`t${MAX_TASKS_PER_SUBMIT}`);
  });

  it('retargets more tasks than one request may name in several, and merges the replies', async () => {
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) => {
        const [first, ...rest] = request.taskIds as string[];
        reply(socket, {
          type: 'retargeted',
          id: request.id,
          retargeted: rest,
          revoked: rest.slice(0, 1),
          notFound: [first],
          ended: [],
        });
      }),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const ids = Array.from({ length: MAX_TASKS_PER_SUBMIT + 2 }, (_, i) => `t${i}`);
    const done = await client.retarget(ids, { workers: ['w'] }, { revokeRunning: true });
    expect(fake.received.map((r) => (r.taskIds as string[]).length)).toEqual([
      MAX_TASKS_PER_SUBMIT,
      2,
    ]);
    expect(fake.received[0]).toMatchObject({
      requirements: { workers: ['w'] },
      revokeRunning: true,
    });
    expect(done.notFound).toEqual(['t0', `t${MAX_TASKS_PER_SUBMIT}`]);
    expect(done.revoked).toEqual(['t1', `t${MAX_TASKS_PER_SUBMIT + 1}`]);
    expect(done.retargeted).toHaveLength(MAX_TASKS_PER_SUBMIT);
  });

  it('matches replies to requests by id even when they come back out of order', async () => {
    const held: { id: string; group: string }[] = [];
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) => {
        held.push({ id: request.id, group: String(request.group) });
        if (held.length < 2) return;
        for (const { id, group } of held.reverse()) {
          reply(socket, { type: 'cancelled', id, taskIds: [`${group}-task`] });
        }
      }),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const [a, b] = await Promise.all([
      client.cancel({ group: 'a' }),
      client.cancel({ group: 'b' }),
    ]);
    expect(a).toEqual(['a-task']);
    expect(b).toEqual(['b-task']);
  });

  it("rejects with the coordinator's message and code on an error reply", async () => {
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) => {
        reply(socket, {
          type: 'error',
          id: request.id,
          code: 'forbidden',
          message: 'viewers cannot submit',
        });
      }),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const error = await client.submit([echoTask]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinatorError);
    expect(error).toMatchObject({ code: 'forbidden', message: 'viewers cannot submit' });
  });

  it('times out a request that gets no answer', async () => {
    const fake = opened.fake(await startFakeCoordinator(() => {}));
    const client = opened.client(
      await DtfClient.connect({ urls: [fake.url], requestTimeoutMs: 50 }),
    );
    await expect(client.query()).rejects.toThrow(
      `request 'query' (id 1) to ${fake.url} got no answer within 50 ms`,
    );
  });

  it('rejects pending requests with the close code and reason when the connection closes and reconnecting is off', async () => {
    const fake = opened.fake(
      await startFakeCoordinator((_request, socket) => socket.close(1011, 'overloaded')),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url], reconnect: false }));
    await expect(client.query()).rejects.toThrow(
      `connection to ${fake.url} closed (code 1011, overloaded)`,
    );
    await expect(client.query()).rejects.toThrow('code 1011, overloaded');
  });

  it('fails a request answered with a value nested 100,000 deep instead of crashing', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) =>
        socket.send(`{"id":"${request.id}","v":${deep},"type":"tasks","tasks":[]}`),
      ),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    await expect(client.query()).rejects.toThrow(/nested deeper than 32 levels/);
  });

  it('fails the connection when the coordinator sends something unreadable', async () => {
    const fake = opened.fake(
      await startFakeCoordinator((_request, socket) => socket.send('{"v":1,"type":"bogus"}')),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    await expect(client.query()).rejects.toThrow(
      /sent an invalid message: unknown message type 'bogus'/,
    );
  });
});
