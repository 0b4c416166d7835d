import { describe, expect, it } from 'vitest';
import { newTaskId } from '../../../coordinator/task-ids.js';

describe('newTaskId', () => {
  it('is a version 7 UUID whose first 48 bits are the time', () => {
    const id = newTaskId(0x0190_1234_5678);
    expect(id).toMatch(/^01901234-5678-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by time and never repeats', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newTaskId(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newTaskId(5))).size).toBe(1000);
  });
});
