import { describe, expect, test, vi } from 'vitest';
import { type Assignment, PROTOCOL_VERSION, type TaskResult } from '../../../protocol/index.js';
import { browserCapabilities } from '../../support/fixtures.js';
import { registeredMessage, startScriptedSession } from '../../support/worker-session.js';

const v = PROTOCOL_VERSION;

const capabilities = browserCapabilities('chromium', { taskKinds: ['page-test'] });

const assignment = (taskId: string): Assignment => ({
  kind: 'page-test',
  taskId,
  attempt: 1,
  leaseToken: 3,
  timeoutMs: 1_000,
  payload: { module: 'data:text/javascript,' },
});

const registered = registeredMessage(50);

function startSession() {
  const finish = new Map<string, (result: TaskResult) => void>();
  const observed: string[] = [];
  const { session, connection } = startScriptedSession({
    name: 'page',
    capabilities,
    slots: 1,
    runAssignment: (task) => new Promise((resolve) => finish.set(task.taskId, resolve)),
    observer: {
      registered: ({ workerId, secret }) => observed.push(`registered ${workerId} ${secret}`),
      disconnected: () => observed.push('disconnected'),
      refused: (reason) => observed.push(`refused: ${reason}`),
      taskStarted: (task) => observed.push(`started ${task.taskId}`),
      taskFinished: (report) => observed.push(`finished ${report.taskId}`),
    },
  });
  return { session, connection, finish, observed };
}

describe('WorkerSession', () => {
  test('registers, runs, and redelivers a result until it is acknowledged', async () => {
    const { session, connection, finish, observed } = startSession();
    expect(connection.take('register')).toMatchObject([{ workerId: 'w1', inFlight: [] }]);
    connection.deliver(registered);
    await session.registered;
    expect(connection.heartbeatMs).toBe(50);
    expect(connection.backoffResets).toBe(1);

    connection.deliver({ v, type: 'assign', tasks: [assignment('a')] });
    expect(connection.take('progress')).toMatchObject([{ taskId: 'a', phase: 'started' }]);
    finish.get('a')?.({ status: 'succeeded', durationMs: 1 });
    await vi.waitFor(() => expect(connection.sent).toHaveLength(1));
    const [first] = connection.take('result');
    expect(first?.results).toMatchObject([{ taskId: 'a', leaseToken: 3 }]);

    connection.drop();
    connection.reopen();
    expect(connection.take('register')[0]?.inFlight).toEqual([
      { taskId: 'a', attempt: 1, leaseToken: 3 },
    ]);
    connection.deliver(registered);
    expect(connection.take('result')).toEqual([first]);

    connection.deliver({ v, type: 'ack', acks: [{ taskId: 'a', attempt: 1, recorded: true }] });
    connection.drop();
    connection.reopen();
    expect(connection.take('register')[0]?.inFlight).toEqual([]);
    expect(observed).toEqual([
      'registered w1 undefined',
      'started a',
      'finished a',
      'disconnected',
      'registered w1 undefined',
      'disconnected',
    ]);
    await session.stop();
  });

  test('sends a result before the next attempt starts, not after its first synchronous stretch', async () => {
    const { session, connection, finish } = startSession();
    connection.deliver(registered);
    await session.registered;
    connection.take('register');
    connection.deliver({ v, type: 'assign', tasks: [assignment('a'), assignment('b')] });
    finish.get('a')?.({ status: 'succeeded', durationMs: 1 });
    await vi.waitFor(() => expect(finish.has('b')).toBe(true));
    // Sent at once, in the turn b starts in: a page's inference would hold any timer back.
    expect(
      connection.sent.map((m) => (m.type === 'progress' ? `started ${m.taskId}` : m.type)),
    ).toEqual(['started a', 'result', 'started b']);
    finish.get('b')?.({ status: 'succeeded', durationMs: 1 });
    await session.stop();
  });

  test('an aborted attempt reports nothing, and a repeated assignment runs once', async () => {
    const { session, connection, finish } = startSession();
    connection.deliver(registered);
    connection.deliver({ v, type: 'assign', tasks: [assignment('a'), assignment('a')] });
    expect(connection.take('progress')).toHaveLength(1);
    connection.deliver({ v, type: 'abort', taskId: 'a', attempt: 1, reason: 'cancelled' });
    finish.get('a')?.({ status: 'succeeded', durationMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(connection.take('result')).toEqual([]);
    await session.stop();
  });

  test('ignores a frame nested 100,000 deep, or with a deep value in a known message, and goes on', async () => {
    const { session, connection } = startSession();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const frame of [
      deep,
      `{"v":${deep},"type":"registered"}`,
      `{"v":1,"type":"assign","tasks":[{"kind":${deep}}]}`,
      `{"v":1,"type":"error","code":"internal","message":${deep}}`,
    ]) {
      expect(() => connection.handlers.message(frame)).not.toThrow();
    }
    connection.deliver(registered);
    await session.registered;
  });

  test('stopping before registration rejects `registered`', async () => {
    const { session } = startSession();
    await session.stop();
    await expect(session.registered).rejects.toThrow('worker stopped before registering');
  });

  test('keeps the secret its first registration was issued and presents it from then on', async () => {
    const { session, connection, observed } = startSession();
    expect(connection.take('register')[0]).not.toHaveProperty('secret');
    connection.deliver({ ...registered, secret: 's-1' });
    for (const reply of [registered, { ...registered, secret: 's-2' }]) {
      connection.drop();
      connection.reopen();
      const [again] = connection.take('register');
      expect(again).toMatchObject({ workerId: 'w1', id: 'register' });
      connection.deliver(reply);
    }
    connection.drop();
    connection.reopen();
    expect(connection.take('register')[0]?.secret).toBe('s-2');
    expect(observed.filter((line) => line.startsWith('registered'))).toEqual([
      'registered w1 s-1',
      'registered w1 s-1',
      'registered w1 s-2',
    ]);
    await session.stop();
  });

  test('an id the coordinator refuses (its secret is not known here) is replaced by a new one', async () => {
    const { session, connection, finish, observed } = startSession();
    connection.deliver({ ...registered, secret: 's-1' });
    connection.deliver({ v, type: 'assign', tasks: [assignment('a')] });
    connection.drop();
    connection.reopen();
    connection.take('register');
    const refusal = { v, type: 'error', id: 'register', code: 'forbidden', message: 'taken' };
    connection.deliver(refusal);
    const [fresh] = connection.take('register');
    expect(fresh?.workerId).not.toBe('w1');
    expect(fresh).not.toHaveProperty('secret');
    // What it held under the old id is listed, so the coordinator revokes it.
    expect(fresh?.inFlight).toEqual([{ taskId: 'a', attempt: 1, leaseToken: 3 }]);
    expect(session.workerId).toBe(fresh?.workerId);
    connection.deliver({ ...registered, workerId: fresh?.workerId, secret: 's-new' });
    expect(observed.at(-1)).toBe(`registered ${fresh?.workerId} s-new`);
    finish.get('a')?.({ status: 'succeeded', durationMs: 1 });

    // A coordinator that refuses every new id is not asked forever.
    for (let i = 0; i < 4; i++) connection.deliver(refusal);
    await expect(session.refused).rejects.toThrow('refused 3 new worker ids in a row');
    expect(connection.stopped).toBe(true);
  });

  test('a token refused at the handshake is final: the session stops and says why', async () => {
    const { session, connection, observed } = startSession();
    connection.handlers.refused('HTTP 401: invalid token');
    await expect(session.registered).rejects.toThrow('HTTP 401: invalid token');
    await expect(session.refused).rejects.toThrow('HTTP 401: invalid token');
    expect(connection.stopped).toBe(true);
    expect(observed).toEqual([expect.stringMatching(/^refused: .*HTTP 401: invalid token$/)]);
  });
});
