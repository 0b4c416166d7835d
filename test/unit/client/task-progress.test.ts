import { describe, expect, it } from 'vitest';
import { TaskProgress } from '../../../client/index.js';
import type { TaskEvent } from '../../../protocol/index.js';

function event(taskId: string, state: TaskEvent['state'], at: number, attempt = 1): TaskEvent {
  return { taskId, state, attempt, at };
}

describe('TaskProgress', () => {
  it('keeps the latest state whatever order the events arrive in', () => {
    const progress = new TaskProgress();
    progress.apply(event('a', 'succeeded', 5));
    progress.apply(event('a', 'running', 3));
    progress.apply(event('b', 'queued', 1, 2));
    progress.apply(event('b', 'running', 9, 1));
    expect(progress.latestEvents()).toEqual([
      event('a', 'succeeded', 5),
      event('b', 'queued', 1, 2),
    ]);
  });

  it('orders events of the same attempt and time by lifecycle stage', () => {
    const progress = new TaskProgress();
    progress.apply(event('a', 'running', 4));
    progress.apply(event('a', 'assigned', 4));
    expect(progress.countsByState().running).toBe(1);
    expect(progress.countsByState().assigned).toBe(0);
  });

  it('orders by attempt and stage, not by clock: a requeue is newer than the attempt it ends', () => {
    const progress = new TaskProgress();
    progress.apply(event('a', 'running', 9));
    expect(progress.apply(event('a', 'queued', 8))).toBe(true);
    expect(progress.apply(event('a', 'assigned', 7))).toBe(false);
    expect(progress.apply(event('a', 'queued', 8))).toBe(false);
    expect(progress.apply(event('a', 'assigned', 1, 2))).toBe(true);
    expect(progress.latestEvents()).toEqual([event('a', 'assigned', 1, 2)]);
  });

  it('never leaves a terminal state', () => {
    const progress = new TaskProgress();
    progress.apply(event('a', 'cancelled', 1));
    progress.apply(event('a', 'queued', 2, 2));
    expect(progress.latestEvents()).toEqual([event('a', 'cancelled', 1)]);
  });

  it('counts expected tasks before any event and is complete only when all ended', () => {
    const progress = new TaskProgress(['a', 'b']);
    expect(progress.total).toBe(2);
    expect(progress.unseenTaskIds()).toEqual(['a', 'b']);
    progress.apply(event('a', 'failed', 1));
    expect(progress.allTerminal()).toBe(false);
    progress.apply(event('b', 'timed_out', 1));
    expect(progress.allTerminal()).toBe(true);
    expect(progress.countsByState()).toMatchObject({ failed: 1, timed_out: 1, queued: 0 });
  });
});
