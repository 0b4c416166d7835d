import { describe, expect, test, vi } from 'vitest';
import {
  type Assignment,
  type BrowserCapabilities,
  PROTOCOL_VERSION,
  type TaskResult,
} from '../../../protocol/index.js';
import { registeredMessage, startScriptedSession } from '../../support/worker-session.js';

const v = PROTOCOL_VERSION;

const capabilities: BrowserCapabilities = {
  kind: 'browser',
  os: 'linux',
  arch: 'x64',
  cpus: 2,
  memoryMb: 0,
  browser: { name: 'chromium', version: '156', engine: 'blink', userAgent: 'test' },
  webgpu: { available: false, reason: 'none', features: [], limits: {} },
  webnn: {
    available: false,
    deviceTypes: {
      cpu: { available: false },
      gpu: { available: false },
      npu: { available: false },
    },
  },
  wasm: { simd: true, threads: false, crossOriginIsolated: false },
  taskKinds: ['page-test'],
  features: ['wasm-simd'],
};

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
      registered: () => observed.push('registered'),
      disconnected: () => observed.push('disconnected'),
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
      'registered',
      'started a',
      'finished a',
      'disconnected',
      'registered',
      'disconnected',
    ]);
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
});
