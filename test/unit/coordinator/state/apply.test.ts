import { describe, expect, it } from 'vitest';
import { NEVER_DELIVERED } from '../../../../coordinator/state/index.js';
import type { TaskResult } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const ok: TaskResult = { status: 'succeeded', durationMs: 5 };

describe('apply', () => {
  it('gives each assignment a fresh lease and attempt', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    h.register('w');
    h.assign();
    const event = h.events.at(-1);
    expect(event).toMatchObject({ type: 'TaskAssigned' });
    expect(h.task(id!)).toMatchObject({
      state: 'assigned',
      attempt: 1,
      leaseToken: 1,
      workerId: 'w',
    });
  });

  it('records a result once; a duplicate is acknowledged and ignored', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    h.register('w');
    h.assign();
    const lease = h.lease(id!);
    const first = h.run({
      type: 'RecordResults',
      now: 2_000,
      workerId: 'w',
      reports: [{ ...lease, result: ok }],
    });
    expect(first.map((e) => e.type)).toEqual(['TaskEnded', 'ResultAcked']);
    expect(h.task(id!)).toMatchObject({ state: 'succeeded', finishedAt: 2_000, result: ok });
    const again = h.run({
      type: 'RecordResults',
      now: 3_000,
      workerId: 'w',
      reports: [{ ...lease, result: { status: 'failed', durationMs: 1 } }],
    });
    expect(again).toEqual([
      {
        type: 'ResultAcked',
        workerId: 'w',
        ack: { taskId: id, attempt: 1, recorded: false, reason: 'task already succeeded' },
      },
    ]);
    expect(h.task(id!)).toMatchObject({ state: 'succeeded', finishedAt: 2_000 });
    expect(h.state.workers.get('w')!.running.size).toBe(0);
  });

  it('ignores a late result from a lost attempt and accepts the live one', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    h.register('a');
    h.assign();
    const stale = h.lease(id!);
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'silent' });
    expect(h.task(id!)).toMatchObject({ state: 'queued', attempt: 1 });
    expect(h.task(id!).history).toEqual([
      { attempt: 1, workerId: 'a', reason: 'worker a lost: silent', at: h.now },
    ]);
    h.register('b');
    h.assign();
    expect(h.task(id!).state).toBe('queued'); // the retry's backoff, 1 s by default
    h.advance(1_000);
    h.assign();
    expect(h.task(id!)).toMatchObject({ state: 'assigned', attempt: 2, workerId: 'b' });
    const late = h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'a',
      reports: [{ ...stale, result: ok }],
    });
    expect(late[0]).toMatchObject({ type: 'ResultAcked', ack: { recorded: false } });
    const live = h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'b',
      reports: [{ ...h.lease(id!), result: ok }],
    });
    expect(live[1]).toMatchObject({ type: 'ResultAcked', ack: { recorded: true } });
  });

  it('rejects a result with the right attempt but the wrong lease token or worker', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    h.register('w');
    h.register('x');
    h.assign();
    const lease = h.lease(id!);
    const owner = h.task(id!).workerId!;
    const other = owner === 'w' ? 'x' : 'w';
    expect(
      h.run({
        type: 'RecordResults',
        now: h.now,
        workerId: owner,
        reports: [{ ...lease, leaseToken: 99, result: ok }],
      })[0],
    ).toMatchObject({ ack: { recorded: false } });
    expect(
      h.run({
        type: 'RecordResults',
        now: h.now,
        workerId: other,
        reports: [{ ...lease, result: ok }],
      })[0],
    ).toMatchObject({ ack: { recorded: false } });
    expect(h.task(id!).state).toBe('assigned');
  });

  it('fails a task after its last retry', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec({ retry: { maxRetries: 1 } }));
    for (const worker of ['a', 'b']) {
      h.register(worker);
      h.assign();
      h.run({ type: 'ExpireWorker', now: h.now, workerId: worker, reason: 'crashed' });
      h.advance(1_000);
    }
    expect(h.task(id!)).toMatchObject({ state: 'failed', attempt: 2 });
    expect(h.task(id!).result?.error).toBe(
      'gave up after 2 attempts; last: worker b lost: crashed',
    );
    expect(h.task(id!).history).toHaveLength(2);
  });

  it('marks a task running only for the live lease', () => {
    const h = new Harness();
    const [id] = h.submit(commandSpec());
    h.register('w');
    h.assign();
    expect(
      h.run({
        type: 'StartTask',
        now: 7,
        workerId: 'w',
        lease: { ...h.lease(id!), leaseToken: 5 },
      }),
    ).toEqual([]);
    h.run({ type: 'StartTask', now: 7, workerId: 'w', lease: h.lease(id!) });
    expect(h.task(id!)).toMatchObject({ state: 'running', startedAt: 7 });
  });

  it('cancels queued and running tasks, asking the worker to abort the running one', () => {
    const h = new Harness();
    const [running, queued, done] = h.submit(
      commandSpec({ group: 'g', priority: 2 }),
      commandSpec({ group: 'g' }),
      commandSpec({ group: 'g', priority: 1 }),
    );
    h.register('w', { slots: 2 });
    h.assign();
    h.run({
      type: 'RecordResults',
      now: h.now,
      workerId: 'w',
      reports: [{ ...h.lease(done!), result: ok }],
    });
    const events = h.run({ type: 'CancelTasks', now: h.now, group: 'g', reason: 'by test' });
    const cancelled = { state: 'cancelled', group: 'g', at: h.now, reason: 'by test' };
    expect(events).toEqual([
      {
        type: 'TaskEnded',
        task: h.task(running!),
        abortOnWorker: 'w',
        reason: 'by test',
        update: { taskId: running, attempt: 1, workerId: 'w', ...cancelled },
      },
      {
        type: 'TaskEnded',
        task: h.task(queued!),
        reason: 'by test',
        update: { taskId: queued, attempt: 0, ...cancelled },
      },
    ]);
    expect(h.task(done!).state).toBe('succeeded');
    expect(h.state.ready.size).toBe(0);
    expect(h.state.workers.get('w')!.running.size).toBe(0);
  });

  it('on re-register keeps held leases, requeues forgotten ones and revokes stale ones', () => {
    const h = new Harness();
    const [kept, forgotten, moved] = h.submit(commandSpec(), commandSpec(), commandSpec());
    h.register('w', { slots: 3 });
    h.assign();
    const movedLease = h.lease(moved!);
    h.run({ type: 'CancelTasks', now: h.now, taskIds: [moved!], reason: 'x' });
    const events = h.run({
      type: 'RegisterWorker',
      now: h.now,
      workerId: 'w',
      name: 'w',
      capabilities: h.state.workers.get('w')!.capabilities,
      labels: {},
      slots: 3,
      inFlight: [h.lease(kept!), movedLease],
    });
    expect(events.map((e) => e.type)).toEqual(['WorkerRegistered', 'LeaseRevoked', 'TaskRequeued']);
    expect(h.task(kept!).state).toBe('assigned');
    expect(h.task(forgotten!)).toMatchObject({ state: 'queued', attempt: 1, failures: 1 });
  });

  it('back from a leader change, requeues uncharged what the worker was assigned but never got', () => {
    const h = new Harness();
    const [started, undelivered] = h.submit(commandSpec(), commandSpec());
    h.register('w', { slots: 2 });
    h.assign();
    h.run({ type: 'StartTask', now: h.now, workerId: 'w', lease: h.lease(started!) });
    h.run({ type: 'LeaderElected', now: h.now });
    expect(h.state.workers.get('w')).toMatchObject({
      status: 'disconnected',
      awaitingReconnect: true,
    });
    h.register('w', { slots: 2 });
    // Started, so it reached the worker: losing it is the worker's failure.
    expect(h.task(started!)).toMatchObject({ state: 'queued', failures: 1 });
    expect(h.task(undelivered!)).toMatchObject({ state: 'queued', attempt: 1, failures: 0 });
    expect(h.task(undelivered!).history).toEqual([
      expect.objectContaining({ attempt: 1, charged: false, reason: NEVER_DELIVERED }),
    ]);
    expect(h.state.workers.get('w')).toMatchObject({
      status: 'connected',
      awaitingReconnect: false,
    });
  });

  it('is deterministic: the same commands give the same state', () => {
    const run = () => {
      const h = new Harness();
      h.submit(...Array.from({ length: 20 }, (_, i) => commandSpec({ priority: i % 3 })));
      h.register('a', { slots: 2 });
      h.register('b', { slots: 3 });
      h.assign();
      h.run({ type: 'ExpireWorker', now: 5_000, workerId: 'a', reason: 'x' });
      h.assign();
      return [...h.state.tasks.values()].map((t) => [
        t.id,
        t.state,
        t.attempt,
        t.leaseToken,
        t.workerId,
      ]);
    };
    expect(run()).toEqual(run());
  });
});
