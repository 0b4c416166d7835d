import { describe, expect, test } from 'vitest';
import type { ResultReport } from '../../../protocol/index.js';
import { Outbox } from '../../../worker-core/outbox.js';

const report = (taskId: string, attempt = 1): ResultReport => ({
  taskId,
  attempt,
  leaseToken: 7,
  result: { status: 'succeeded', durationMs: 1 },
});

describe('Outbox', () => {
  test('hands out each new result once, and everything again after a reconnect', () => {
    const outbox = new Outbox();
    outbox.add(report('a'));
    expect(outbox.takeUnsent()).toEqual([report('a')]);
    outbox.add(report('b'));
    expect(outbox.takeUnsent()).toEqual([report('b')]);
    expect(outbox.takeUnsent()).toEqual([]);
    expect(outbox.takeAll()).toEqual([report('a'), report('b')]);
  });

  test('an ack removes only the matching attempt', () => {
    const outbox = new Outbox();
    outbox.add(report('a', 1));
    outbox.add(report('a', 2));
    expect(outbox.remove('a', 1)).toBe(true);
    expect(outbox.remove('a', 1)).toBe(false);
    expect(outbox.has('a', 2)).toBe(true);
    expect(outbox.leaseRefs()).toEqual([{ taskId: 'a', attempt: 2, leaseToken: 7 }]);
    expect(outbox.size).toBe(1);
  });
});
