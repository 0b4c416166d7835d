import { describe, expect, it } from 'vitest';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import {
  commandSpec,
  disconnectCommand,
  Harness,
  nodeCapabilities,
} from '../../../support/fixtures.js';

describe('schedule', () => {
  it('places higher priority first, FIFO within a priority', () => {
    const h = new Harness();
    const [low1, high1, mid, high2, low2] = h.submit(
      commandSpec({ priority: 0 }),
      commandSpec({ priority: 5 }),
      commandSpec({ priority: 2 }),
      commandSpec({ priority: 5 }),
      commandSpec({ priority: 0 }),
    );
    h.register('w', { slots: 5 });
    expect(schedule(h.state).map((p) => p.taskId)).toEqual([high1, high2, mid, low1, low2]);
  });

  it('respects worker slots', () => {
    const h = new Harness();
    h.submit(...Array.from({ length: 10 }, () => commandSpec()));
    h.register('a', { slots: 3 });
    h.register('b', { slots: 2 });
    const placements = h.assign();
    expect(placements).toHaveLength(5);
    expect(placements.filter((p) => p.workerId === 'a')).toHaveLength(3);
    expect(schedule(h.state)).toEqual([]);
    expect(h.state.workers.get('a')!.running.size).toBe(3);
  });

  it('matches labels, memory, features and task kinds', () => {
    const h = new Harness();
    const [gpuTask, bigTask, cpuTask, vitestTask] = h.submit(
      commandSpec({ requirements: { labels: { gpu: 'a100' } } }),
      commandSpec({ requirements: { minMemoryMb: 64_000 } }),
      commandSpec({ requirements: { labels: { pool: 'cpu' }, features: ['fast'] } }),
      commandSpec({ kind: 'vitest', payload: { dir: '/tmp' } }),
    );
    h.register('cpu', {
      slots: 4,
      labels: { pool: 'cpu' },
      capabilities: nodeCapabilities({ features: ['fast'], taskKinds: ['command'] }),
    });
    h.register('gpu', {
      slots: 4,
      labels: { gpu: 'a100' },
      capabilities: nodeCapabilities({ memoryMb: 128_000 }),
    });
    const byTask = new Map(schedule(h.state).map((p) => [p.taskId, p.workerId]));
    expect(byTask.get(gpuTask!)).toBe('gpu');
    expect(byTask.get(bigTask!)).toBe('gpu');
    expect(byTask.get(cpuTask!)).toBe('cpu');
    expect(byTask.get(vitestTask!)).toBe('gpu');
  });

  it('skips an unplaceable high-priority task without blocking lower ones', () => {
    const h = new Harness();
    const [blocked, runnable] = h.submit(
      commandSpec({ priority: 10, requirements: { labels: { gpu: 'h100' } } }),
      commandSpec({ priority: 0 }),
    );
    h.register('w', { slots: 2 });
    expect(schedule(h.state).map((p) => p.taskId)).toEqual([runnable]);
    expect(h.task(blocked!).state).toBe('queued');
  });

  it('places nothing on disconnected or dead workers', () => {
    const h = new Harness();
    h.submit(commandSpec());
    h.register('w');
    h.run(disconnectCommand('w', h.now));
    expect(schedule(h.state)).toEqual([]);
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'w', reason: 'test' });
    expect(schedule(h.state)).toEqual([]);
  });

  it('after a new leader is elected, places nothing on a worker until it registers again, and its running attempt keeps its lease', () => {
    const h = new Harness();
    const [running] = h.submit(commandSpec());
    h.register('w', { slots: 2 });
    h.assign();
    const lease = h.lease(running!);
    const { attempt, leaseToken } = lease;
    h.run({ type: 'StartTask', now: h.now, workerId: 'w', lease });
    h.run({ type: 'LeaderElected', now: h.now });
    const [next] = h.submit(commandSpec({ retry: { maxRetries: 0 } }));
    expect(schedule(h.state)).toEqual([]);
    // Placed anyway (a placement made before the election applied after it): dropped.
    h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: next!, workerId: 'w' }] });
    expect(h.task(next!).state).toBe('queued');
    expect(h.task(running!)).toMatchObject({
      state: 'running',
      workerId: 'w',
      attempt,
      leaseToken,
    });

    // The worker reconnects to the new leader holding its attempt: nothing is charged.
    h.run({
      type: 'RegisterWorker',
      now: h.now,
      workerId: 'w',
      name: 'w',
      capabilities: nodeCapabilities(),
      labels: {},
      slots: 2,
      inFlight: [lease],
    });
    expect(h.task(running!)).toMatchObject({ state: 'running', failures: 0, attempt, leaseToken });
    expect(h.assign()).toEqual([{ taskId: next, workerId: 'w' }]);
    const reported = h.report(running!, { status: 'succeeded', durationMs: 5 });
    expect(reported).toContainEqual({
      type: 'ResultAcked',
      workerId: 'w',
      ack: { taskId: running, attempt, recorded: true },
    });
    expect(h.task(running!)).toMatchObject({ state: 'succeeded', attempt: 1, failures: 0 });
  });

  it('puts a requeued task back at its submission position', () => {
    const h = new Harness();
    const [first, second, third] = h.submit(commandSpec(), commandSpec(), commandSpec());
    h.register('a');
    h.assign();
    expect(h.task(first!).state).toBe('assigned');
    h.run({ type: 'ExpireWorker', now: h.now, workerId: 'a', reason: 'test' });
    h.advance(1_000);
    h.register('b', { slots: 3 });
    expect(schedule(h.state).map((p) => p.taskId)).toEqual([first, second, third]);
  });
});
