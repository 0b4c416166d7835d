import { describe, expect, test, vi } from 'vitest';
import { type Assignment, PROTOCOL_VERSION, type TaskResult } from '../../../protocol/index.js';
import { nodeCapabilities } from '../../support/fixtures.js';
import { registeredMessage, startScriptedSession } from '../../support/worker-session.js';

const v = PROTOCOL_VERSION;

const assignment = (taskId: string, leaseToken = 1): Assignment => ({
  kind: 'command',
  taskId,
  attempt: 1,
  leaseToken,
  timeoutMs: 60_000,
  payload: { command: 'true', args: [], env: {}, shell: false },
});
const lease = (taskId: string, leaseToken = 1) => ({ taskId, attempt: 1, leaseToken });
const registered = registeredMessage(1_000);

function startSession(options: { slots?: number; onDrainRequested?: (ms: number) => void } = {}) {
  const finish = new Map<string, (result: TaskResult) => void>();
  const aborted: string[] = [];
  const { session, connection } = startScriptedSession({
    name: 'node',
    capabilities: nodeCapabilities(),
    slots: options.slots ?? 2,
    drainAckTimeoutMs: 5_000,
    ...(options.onDrainRequested === undefined
      ? {}
      : { onDrainRequested: options.onDrainRequested }),
    // A runner that stops when aborted, as the real ones do (they kill the process tree).
    runAssignment: (task, signal) =>
      new Promise((resolve) => {
        finish.set(task.taskId, resolve);
        signal.addEventListener('abort', () => {
          aborted.push(task.taskId);
          resolve({ status: 'failed', durationMs: 0, error: 'aborted' });
        });
      }),
  });
  connection.deliver(registered);
  connection.take('register');
  return { session, connection, finish, aborted };
}

describe('WorkerSession drain', () => {
  test('finishes what runs in time, hands back the rest, and waits for every acknowledgement', async () => {
    const { session, connection, finish, aborted } = startSession({ slots: 2 });
    connection.deliver({
      v,
      type: 'assign',
      tasks: [assignment('fast'), assignment('slow'), assignment('waiting')],
    });
    expect(connection.take('progress').map((m) => m.taskId)).toEqual(['fast', 'slow']);

    let drained = false;
    const drain = session.drain(200).then(() => {
      drained = true;
    });
    expect(connection.take('draining')).toEqual([{ v, type: 'draining', graceMs: 200 }]);
    const [notStarted] = connection.take('release');
    expect(notStarted).toMatchObject({ leases: [lease('waiting')] });

    // An assignment arriving anyway goes straight back.
    connection.deliver({ v, type: 'assign', tasks: [assignment('late', 9)] });
    const [late] = connection.take('release');
    expect(late).toMatchObject({ leases: [lease('late', 9)], reason: 'the worker is draining' });
    expect(connection.take('progress')).toEqual([]);

    finish.get('fast')?.({ status: 'succeeded', durationMs: 5 });
    // After the grace period the slow one is aborted and handed back.
    await vi.waitFor(() => expect(aborted).toEqual(['slow']), { timeout: 2_000 });
    const [unfinished] = await vi.waitFor(() => {
      const taken = connection.take('release');
      expect(taken).toHaveLength(1);
      return taken;
    });
    expect(unfinished).toMatchObject({ leases: [lease('slow')] });
    expect(connection.take('result')).toMatchObject([{ results: [{ taskId: 'fast' }] }]);

    // Not done until the coordinator acknowledged the result and every release.
    connection.deliver({ v, type: 'ack', acks: [{ taskId: 'fast', attempt: 1, recorded: true }] });
    for (const message of [notStarted, late]) {
      connection.deliver({
        v,
        type: 'released',
        id: message!.id,
        acks: message!.leases.map((l) => ({ ...l, returned: true })),
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    connection.deliver({
      v,
      type: 'released',
      id: unfinished!.id,
      acks: [{ taskId: 'slow', attempt: 1, returned: true }],
    });
    await drain;
    expect(drained).toBe(true);
    expect(connection.stopped).toBe(false); // the host decides when to stop
    await session.stop();
  });

  test('a reconnect mid-drain re-announces draining, keeps released leases held, and resends them', async () => {
    const { session, connection } = startSession({ slots: 1 });
    connection.deliver({ v, type: 'assign', tasks: [assignment('a'), assignment('b')] });
    const drain = session.drain(60_000);
    const [release] = connection.take('release');
    expect(release).toMatchObject({ leases: [lease('b')] });

    connection.drop();
    connection.reopen();
    const [register] = connection.take('register');
    expect(register).toMatchObject({ draining: true });
    expect(register?.inFlight).toEqual(expect.arrayContaining([lease('a'), lease('b')]));
    connection.deliver(registered);
    const [again] = connection.take('release');
    expect(again).toMatchObject({ leases: [lease('b')] });
    connection.deliver({
      v,
      type: 'released',
      id: again!.id,
      acks: [{ taskId: 'b', attempt: 1, returned: true }],
    });
    await session.stopNow('test over');
    await drain;
  });

  test('a drain message goes to the host when it handles drains, else the session drains', async () => {
    const requested: number[] = [];
    const hosted = startSession({ onDrainRequested: (ms) => requested.push(ms) });
    hosted.connection.deliver({ v, type: 'drain', graceMs: 1_234 });
    expect(requested).toEqual([1_234]);
    expect(hosted.session.isDraining).toBe(false);
    await hosted.session.stop();

    const plain = startSession();
    plain.connection.deliver({ v, type: 'drain' });
    expect(plain.session.isDraining).toBe(true);
    expect(plain.connection.take('draining')).toEqual([{ v, type: 'draining', graceMs: 30_000 }]);
    await plain.session.stop();
  });

  test('stopNow aborts what runs and hands it back without waiting', async () => {
    const { session, connection, aborted } = startSession({ slots: 1 });
    connection.deliver({ v, type: 'assign', tasks: [assignment('a'), assignment('b')] });
    await session.stopNow('second signal');
    expect(aborted).toEqual(['a']);
    const released = connection.take('release');
    expect(released.flatMap((m) => m.leases)).toEqual(
      expect.arrayContaining([lease('a'), lease('b')]),
    );
    expect(connection.stopped).toBe(true);
  });
});
