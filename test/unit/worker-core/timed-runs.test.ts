import { describe, expect, test } from 'vitest';
import { timedRuns } from '../../../worker-core/timed-runs.js';

describe('timedRuns', () => {
  test('times a first run and then the asked-for number of runs', async () => {
    let calls = 0;
    const timed = await timedRuns(async () => ++calls, 3, new AbortController().signal);
    expect(timed).toMatchObject({
      last: 4,
      samples: [expect.any(Number), expect.any(Number), expect.any(Number)],
    });
    expect(timed.firstRunMs).toBeGreaterThanOrEqual(0);
  });

  test('stops the timed runs once the attempt is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const timed = await timedRuns(
      async () => {
        if (++calls === 2) controller.abort();
        return calls;
      },
      10,
      controller.signal,
    );
    expect(timed.samples).toHaveLength(1);
    expect(timed.last).toBe(2);
  });
});
