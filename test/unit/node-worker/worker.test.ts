import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { startWorker, type WorkerHandle } from '../../../node-worker/index.js';
import { PROTOCOL_VERSION } from '../../../protocol/index.js';
import { closeAfterEach } from '../../support/close-after-each.js';
import { deadUrl, FakeCoordinator } from './fake-coordinator.js';

const v = PROTOCOL_VERSION;
const fastReconnect = { initialDelayMs: 5, maxDelayMs: 20 };

function commandTask(taskId: string, script: string) {
  return {
    kind: 'command',
    taskId,
    attempt: 1,
    leaseToken: 5,
    timeoutMs: 10_000,
    payload: { command: process.execPath, args: ['-e', script] },
  };
}

function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('node worker against a fake coordinator', () => {
  const opened = closeAfterEach({
    worker: (worker: WorkerHandle) => worker.stop(),
    coordinator: (coordinator: FakeCoordinator) => coordinator.close(),
  });

  test('registers, runs assignments, and redelivers results until acknowledged', async () => {
    const fake = opened.coordinator(await FakeCoordinator.start('secret'));
    const worker = opened.worker(
      await startWorker({
        coordinatorUrls: [await deadUrl(), fake.url],
        token: 'secret',
        slots: 2,
        labels: { pool: 'a' },
        name: 'w1',
        logger: pino({ level: 'silent' }),
        reconnect: fastReconnect,
      }),
    );

    const register = await fake.next('register');
    expect(register).toMatchObject({
      workerId: worker.workerId,
      name: 'w1',
      labels: { pool: 'a' },
      slots: 2,
      inFlight: [],
      capabilities: {
        kind: 'node',
        taskKinds: ['command', 'vitest', 'model', 'shard-stage', 'plugin'],
      },
    });
    expect(fake.handshakes.at(-1)).toEqual({ authorization: 'Bearer secret' });
    const registered = {
      v,
      type: 'registered',
      workerId: worker.workerId,
      heartbeatIntervalMs: 20,
      maxMessageBytes: 1_000_000,
    };
    fake.send(registered);
    await worker.registered;
    await fake.next('heartbeat');

    // Invalid messages are ignored; the worker keeps serving.
    fake.send('not json');
    fake.send({ v, type: 'assign', tasks: [] });
    fake.send({ v, type: 'assign', tasks: [commandTask('t1', "process.stdout.write('hi')")] });
    expect(await fake.next('progress')).toMatchObject({ taskId: 't1', phase: 'started' });
    const first = await fake.next('result');
    expect(first.results).toHaveLength(1);
    expect(first.results[0]).toMatchObject({
      taskId: 't1',
      attempt: 1,
      leaseToken: 5,
      result: { status: 'succeeded', output: { stdout: 'hi' } },
    });

    // Unacknowledged, the result survives a lost connection and is sent again.
    fake.dropConnection();
    const again = await fake.next('register');
    expect(again.workerId).toBe(worker.workerId);
    expect(again.inFlight).toEqual([{ taskId: 't1', attempt: 1, leaseToken: 5 }]);
    fake.send(registered);
    expect((await fake.next('result')).results).toEqual(first.results);
    fake.send({ v, type: 'ack', acks: [{ taskId: 't1', attempt: 1, recorded: true }] });

    // An aborted attempt produces no result.
    fake.send({ v, type: 'assign', tasks: [commandTask('t2', 'setInterval(() => {}, 1000)')] });
    expect(await fake.next('progress')).toMatchObject({ taskId: 't2' });
    fake.send({ v, type: 'abort', taskId: 't2', attempt: 1, reason: 'cancelled' });
    fake.send({ v, type: 'assign', tasks: [commandTask('t3', '')] });
    expect((await fake.next('result')).results.map((r) => r.taskId)).toEqual(['t3']);
    fake.send({ v, type: 'ack', acks: [{ taskId: 't3', attempt: 1, recorded: false }] });

    // Closed after the ack has arrived: the acknowledged result is never sent again.
    fake.closeConnection();
    expect((await fake.next('register')).inFlight).toEqual([]);
    expect(fake.pending('result')).toEqual([]);
  });

  test('logs under the id it registers with, the new one after the coordinator refused the first', async () => {
    const fake = opened.coordinator(await FakeCoordinator.start('secret'));
    const { logger, lines } = capturingLogger();
    const options = { coordinatorUrls: [fake.url], token: 'secret', slots: 1, labels: {}, logger };
    const worker = opened.worker(await startWorker({ ...options, reconnect: fastReconnect }));
    const first = (await fake.next('register')).workerId;
    fake.send({ v, type: 'error', code: 'forbidden', id: 'register', message: 'not yours' });
    const second = (await fake.next('register')).workerId;
    expect(second).not.toBe(first);
    expect(worker.workerId).toBe(second);
    fake.send({
      v,
      type: 'registered',
      workerId: second,
      heartbeatIntervalMs: 1_000,
      maxMessageBytes: 1_000_000,
    });
    await worker.registered;
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; workerId: string });
    const idOf = (msg: string) => logged.find((entry) => entry.msg === msg)?.workerId;
    expect(idOf('connected to coordinator')).toBe(first);
    expect(idOf('registered with coordinator')).toBe(second);
  });

  test.each([
    ['no token', undefined, 'requires a worker token (HTTP 401) and none was given'],
    ['a wrong token', 'wrong', 'rejected the worker token (HTTP 401)'],
  ])('with %s it stops at once and says the token was refused', async (_case, token, problem) => {
    const fake = opened.coordinator(await FakeCoordinator.start('secret'));
    const { logger, lines } = capturingLogger();
    const options = { coordinatorUrls: [fake.url], slots: 1, labels: {}, logger };
    const worker = opened.worker(
      await startWorker({ ...options, token, reconnect: fastReconnect }),
    );
    await expect(worker.registered).rejects.toThrow(problem);
    await expect(worker.refused).rejects.toThrow(problem);
    expect(fake.handshakes).toHaveLength(1);
    const logged = lines.map((line) => JSON.parse(line));
    expect(logged.some((entry) => entry.level >= 50 && entry.msg.includes(problem))).toBe(true);
    expect(logged.some((entry) => /no coordinator reachable/.test(entry.msg))).toBe(false);
  });
});
