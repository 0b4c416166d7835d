import { describe, expect, test } from 'vitest';
import { Backoff } from '../../../reconnect/index.js';

describe('Backoff', () => {
  test('doubles up to the cap, with jitter between half and all of the base', () => {
    const lowest = new Backoff({ initialDelayMs: 100, maxDelayMs: 500 }, () => 0);
    expect([1, 2, 3, 4, 5].map(() => lowest.nextDelayMs())).toEqual([50, 100, 200, 250, 250]);
    const highest = new Backoff({ initialDelayMs: 100, maxDelayMs: 500 }, () => 1);
    expect([1, 2, 3, 4].map(() => highest.nextDelayMs())).toEqual([100, 200, 400, 500]);
    highest.reset();
    expect(highest.nextDelayMs()).toBe(100);
  });
});
