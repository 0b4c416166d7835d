import { describe, expect, it } from 'vitest';
import { UnschedulableExplainer } from '../../../../coordinator/queries.js';
import {
  expiredWorkers,
  schedule,
  takesNewTasks,
} from '../../../../coordinator/scheduler/index.js';
import {
  decodeMessage,
  InboundMessage,
  type LeaseRef,
  PROTOCOL_VERSION,
  ToWorkerMessage,
} from '../../../../protocol/index.js';
import {
  commandSpec,
  disconnectCommand,
  Harness,
  nodeCapabilities,
} from '../../../support/fixtures.js';

function release(h: Harness, workerId: string, leases: LeaseRef[], reason = 'draining') {
  return h.run({ type: 'ReleaseTasks', now: h.now, workerId, leases, reason });
}

function registerAgain(h: Harness, workerId: string, draining?: boolean, inFlight?: LeaseRef[]) {
  return h.run({
    type: 'RegisterWorker',
    now: h.now,
    workerId,
    name: workerId,
    capabilities: nodeCapabilities(),
    labels: {},
    slots: 2,
    inFlight: inFlight ?? [],
    ...(draining === undefined ? {} : { draining }),
  });
}

describe('draining a worker', () => {
  it('takes the worker out of scheduling at once; its running task may still finish', () => {
    const h = new Harness();
    h.register('a', { slots: 2 });
    const [first] = h.submit(commandSpec());
    h.assign();
    expect(h.task(first!).workerId).toBe('a');

    const events = h.run({ type: 'DrainWorker', now: h.now, workerId: 'a', by: 'admin' });
    expect(events).toMatchObject([{ type: 'WorkerDraining', by: 'admin' }]);
    const worker = h.state.workers.get('a')!;
    expect(worker.draining).toBe(true);
    expect(takesNewTasks(h.state, worker)).toBe(false);

    const more = h.submit(commandSpec(), commandSpec());
    expect(schedule(h.state)).toEqual([]);
    expect(new UnschedulableExplainer(h.state).explain(h.task(more[0]!))).toBe(
      'waiting: every worker that could run it is held back (a: it is draining)',
    );
    h.register('b', { slots: 2 });
    h.assign();
    for (const id of more) expect(h.task(id).workerId).toBe('b');

    const recorded = h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'a',
      reports: [{ ...h.lease(first!), result: { status: 'succeeded', durationMs: 3 } }],
    });
    expect(recorded.map((e) => e.type)).toEqual(['TaskEnded', 'ResultAcked']);
    expect(h.task(first!).state).toBe('succeeded');
  });

  it('announces an admin drain every time (with its grace) and a worker announcement once', () => {
    const h = new Harness();
    h.register('w');
    const version = h.state.workersVersion;
    expect(h.run({ type: 'DrainWorker', now: h.now, workerId: 'w', by: 'worker' })).toMatchObject([
      { type: 'WorkerDraining', by: 'worker' },
    ]);
    expect(h.state.workersVersion).toBe(version + 1);
    expect(h.run({ type: 'DrainWorker', now: h.now, workerId: 'w', by: 'worker' })).toEqual([]);
    expect(
      h.run({ type: 'DrainWorker', now: h.now, workerId: 'w', by: 'admin', graceMs: 250 }),
    ).toMatchObject([{ type: 'WorkerDraining', by: 'admin', graceMs: 250 }]);
    expect(h.state.workersVersion).toBe(version + 1);
    expect(h.run({ type: 'DrainWorker', now: h.now, workerId: 'nobody', by: 'admin' })).toEqual([]);
  });

  it('requeues a released attempt at once without charging the retries', () => {
    const h = new Harness();
    h.register('a', { slots: 2 });
    // No retries at all: a charged failure would fail the task for good.
    const [id] = h.submit(commandSpec({ retry: { maxRetries: 0 } }));
    h.assign();
    h.run({ type: 'DrainWorker', now: h.now, workerId: 'a', by: 'worker' });
    h.now += 100;

    const events = release(h, 'a', [h.lease(id!)], 'grace period over');
    expect(events).toMatchObject([
      { type: 'TaskRequeued', reason: 'released by worker a: grace period over' },
    ]);
    const task = h.task(id!);
    expect(task).toMatchObject({ state: 'queued', failures: 0, attempt: 1, placeable: true });
    expect(task.notBefore).toBeUndefined();
    expect(task.workerId).toBeUndefined();
    expect(task.history).toEqual([
      {
        attempt: 1,
        workerId: 'a',
        reason: 'released by worker a: grace period over',
        at: h.now,
        charged: false,
      },
    ]);
    expect(h.state.workers.get('a')!.running.size).toBe(0);

    // The draining worker does not get it back; another worker runs it as attempt 2.
    expect(schedule(h.state)).toEqual([]);
    h.register('b');
    h.assign();
    expect(h.task(id!)).toMatchObject({ state: 'assigned', workerId: 'b', attempt: 2 });
    h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'b',
      reports: [{ ...h.lease(id!), result: { status: 'succeeded', durationMs: 1 } }],
    });
    expect(h.task(id!)).toMatchObject({ state: 'succeeded', failures: 0 });
  });

  it('ignores leases the worker does not hold', () => {
    const h = new Harness();
    h.register('a', { slots: 2 });
    const [live, done] = h.submit(commandSpec(), commandSpec());
    h.assign();
    h.register('b');
    expect([h.task(live!).workerId, h.task(done!).workerId]).toEqual(['a', 'a']);
    const doneLease = h.lease(done!);
    h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'a',
      reports: [{ ...doneLease, result: { status: 'succeeded', durationMs: 1 } }],
    });
    const liveLease = h.lease(live!);
    const before = JSON.stringify(h.task(live!));

    expect(release(h, 'a', [{ ...liveLease, leaseToken: liveLease.leaseToken + 7 }])).toEqual([]);
    expect(release(h, 'a', [{ ...liveLease, attempt: 2 }])).toEqual([]);
    expect(release(h, 'b', [liveLease])).toEqual([]);
    expect(release(h, 'a', [doneLease])).toEqual([]);
    expect(release(h, 'a', [{ taskId: 'missing', attempt: 1, leaseToken: 1 }])).toEqual([]);
    expect(JSON.stringify(h.task(live!))).toBe(before);
    expect(h.task(done!).state).toBe('succeeded');

    // The real lease, twice in one release: requeued once.
    expect(release(h, 'a', [liveLease, liveLease]).map((e) => e.type)).toEqual(['TaskRequeued']);
    expect(h.task(live!).history).toHaveLength(1);
  });

  it('keeps a reconnecting worker draining; a new worker id starts out taking tasks', () => {
    const h = new Harness();
    registerAgain(h, 'a', true);
    expect(h.state.workers.get('a')!.draining).toBe(true);
    registerAgain(h, 'a');
    expect(h.state.workers.get('a')!.draining).toBe(true);
    registerAgain(h, 'b');
    expect(h.state.workers.get('b')!.draining).toBe(false);
    h.submit(commandSpec());
    expect(schedule(h.state)).toEqual([{ taskId: expect.any(String), workerId: 'b' }]);
  });

  /** Worker `a`, running task `id`, has started draining. */
  function drainingWithATask() {
    const h = new Harness();
    h.register('a', { slots: 2 });
    const [id] = h.submit(commandSpec());
    h.assign();
    h.run({ type: 'DrainWorker', now: h.now, workerId: 'a', by: 'worker' });
    return { h, id: id! };
  }

  it('a draining worker that goes away holding nothing is drained, never expired as lost', () => {
    const { h, id } = drainingWithATask();
    h.report(id, { status: 'succeeded', durationMs: 3 });
    const events = h.run(disconnectCommand('a', h.now));
    expect(events.map((e) => e.type)).toEqual(['WorkerDrained']);
    const worker = h.state.workers.get('a')!;
    expect(worker.status).toBe('drained');
    expect(expiredWorkers(h.state, h.now + 60_000)).toEqual([]);
    expect(h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'lost' })).toEqual([]);
    h.run({ type: 'LeaderElected', now: h.now });
    expect(worker).toMatchObject({ status: 'drained', awaitingReconnect: false });
  });

  it('a draining worker that goes away still holding a task is lost when it expires', () => {
    const { h, id } = drainingWithATask();
    expect(h.run(disconnectCommand('a', h.now))).toEqual([]);
    expect(h.state.workers.get('a')!.status).toBe('disconnected');
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'no heartbeat' });
    expect(h.state.workers.get('a')!.status).toBe('dead');
    expect(h.task(id).failures).toBe(1);
  });

  it('after a coordinator restart (flag not kept) a worker re-announces it in register', () => {
    const h = new Harness();
    h.register('a', { slots: 2 });
    const [id] = h.submit(commandSpec());
    h.assign();
    // What loadState gives back: the worker record without the flag.
    h.state.workers.get('a')!.draining = false;
    const lease = h.lease(id!);
    registerAgain(h, 'a', true, [lease]);
    expect(h.state.workers.get('a')!.draining).toBe(true);
    expect(h.task(id!).state).toBe('assigned');
    expect(release(h, 'a', [lease]).map((e) => e.type)).toEqual(['TaskRequeued']);
    expect(schedule(h.state)).toEqual([]);
  });
});

describe('drain messages', () => {
  const v = PROTOCOL_VERSION;

  it('validates release, draining and drain', () => {
    const lease = { taskId: 't1', attempt: 1, leaseToken: 4 };
    const release = { v, type: 'release', id: 'r1', leases: [lease], reason: 'draining' };
    expect(decodeMessage(JSON.stringify(release), InboundMessage)).toMatchObject({ ok: true });
    const bad = { ...release, leases: [{ ...lease, attempt: 0 }] };
    expect(decodeMessage(JSON.stringify(bad), InboundMessage)).toMatchObject({
      ok: false,
      id: 'r1',
      error: { code: 'invalid_message', message: expect.stringContaining('leases[0].attempt') },
    });
    const empty = { ...release, leases: [] };
    expect(decodeMessage(JSON.stringify(empty), InboundMessage)).toMatchObject({ ok: false });
    const draining = { v, type: 'draining', graceMs: 30_000 };
    expect(decodeMessage(JSON.stringify(draining), InboundMessage)).toMatchObject({ ok: true });
    const negative = { v, type: 'draining', graceMs: -1 };
    expect(decodeMessage(JSON.stringify(negative), InboundMessage)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('graceMs') },
    });
    expect(decodeMessage(JSON.stringify({ v, type: 'drain' }), ToWorkerMessage)).toMatchObject({
      ok: true,
    });
    const released = {
      v,
      type: 'released',
      id: 'r1',
      acks: [{ taskId: 't1', attempt: 1, returned: true }],
    };
    expect(decodeMessage(JSON.stringify(released), ToWorkerMessage)).toMatchObject({ ok: true });
  });
});
