import { describe, expect, it } from 'vitest';
import { LoopStalls } from '../../../../coordinator/loop-stalls.js';
import { expiredWorkers } from '../../../../coordinator/scheduler/index.js';
import { Harness } from '../../../support/fixtures.js';

// The harness's workers heartbeat every 1,000 ms and may miss 3: a 3,000 ms allowance.
describe('expiredWorkers', () => {
  it('expires a worker silent past the allowance', () => {
    const h = new Harness();
    h.register('w1');
    expect(expiredWorkers(h.state, h.now + 3_000)).toEqual([]);
    expect(expiredWorkers(h.state, h.now + 3_001)).toMatchObject([
      { type: 'ExpireWorker', workerId: 'w1', reason: 'no heartbeat for 3001 ms' },
    ]);
  });

  it('does not charge a worker for the time the coordinator itself was stalled', () => {
    const h = new Harness();
    h.register('w1');
    // Stalled for 2.5 s up to now: the heartbeats sent meanwhile have not been read yet.
    const now = h.now + 3_400;
    expect(expiredWorkers(h.state, now, [{ endedAt: now, ms: 2_500 }])).toEqual([]);
    // Silent for 3.4 s of which 0.3 s was a stall: 3.1 s is the worker's own.
    expect(expiredWorkers(h.state, now, [{ endedAt: now - 100, ms: 300 }])).toMatchObject([
      {
        workerId: 'w1',
        reason: 'no heartbeat for 3400 ms (300 ms of it the coordinator was stalled)',
      },
    ]);
  });

  it('counts only the part of a stall after the last heartbeat', () => {
    const h = new Harness();
    h.register('w1');
    const stallBefore = { endedAt: h.now, ms: 10_000 };
    const overlapping = { endedAt: h.now + 500, ms: 10_000 };
    expect(expiredWorkers(h.state, h.now + 3_001, [stallBefore])).toHaveLength(1);
    expect(expiredWorkers(h.state, h.now + 3_500, [overlapping])).toEqual([]);
    expect(expiredWorkers(h.state, h.now + 3_501, [overlapping])).toHaveLength(1);
  });
});

describe('LoopStalls', () => {
  it('records how late its timer fired beyond scheduling noise, and forgets old stalls', () => {
    const stalls = new LoopStalls(100, 1_000);
    expect(stalls.tick(0)).toEqual([]);
    expect(stalls.tick(105)).toEqual([]);
    expect(stalls.tick(3_205)).toEqual([{ endedAt: 3_205, ms: 3_000 }]);
    expect(stalls.tick(3_355)).toEqual([
      { endedAt: 3_205, ms: 3_000 },
      { endedAt: 3_355, ms: 50 },
    ]);
    expect(stalls.tick(4_300)).toEqual([
      { endedAt: 3_355, ms: 50 },
      { endedAt: 4_300, ms: 845 },
    ]);
  });
});
