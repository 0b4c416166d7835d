import { describe, expect, it } from 'vitest';
import { describePoolEvent, type PoolMemberStatus } from '../../../../browser-worker/pool/index.js';
import { recycleReason } from '../../../../browser-worker/pool/recycle-reason.js';
import { relaunchDelayMs } from '../../../../browser-worker/pool/relaunch-delay.js';
import { toWorkerPageState } from '../../../../browser-worker/pool/worker-page-state.js';

const limits = { recycleAfterTasks: 10, maxRssMb: 500 };

describe('recycleReason', () => {
  it('recycles an idle page after enough tasks or above the memory ceiling', () => {
    expect(recycleReason({ tasksDone: 10, busy: false }, 100, limits)).toBe(
      'recycled after 10 tasks',
    );
    expect(recycleReason({ tasksDone: 3, busy: false }, 612.4, limits)).toBe(
      'recycled at 612 MB resident (limit 500 MB)',
    );
    expect(recycleReason({ tasksDone: 9, busy: false }, 500, limits)).toBeUndefined();
  });

  it('never recycles a busy page, nor without limits', () => {
    expect(recycleReason({ tasksDone: 99, busy: true }, 9999, limits)).toBeUndefined();
    const none = { recycleAfterTasks: undefined, maxRssMb: undefined };
    expect(recycleReason({ tasksDone: 99, busy: false }, 9999, none)).toBeUndefined();
  });
});

describe('relaunchDelayMs', () => {
  it('doubles from 250 ms with each failure in a row, up to 15 s', () => {
    expect([0, 1, 2, 3, 7, 8, 50].map(relaunchDelayMs)).toEqual([
      0, 250, 500, 1000, 15_000, 15_000, 15_000,
    ]);
  });
});

describe('toWorkerPageState', () => {
  const idle = { connection: 'connecting', tasksDone: 0, busy: false };

  it('takes the counters the page exposes and distrusts anything else', () => {
    expect(toWorkerPageState({ tasksDone: 4, busy: true })).toEqual({
      ...idle,
      tasksDone: 4,
      busy: true,
    });
    expect(toWorkerPageState({})).toEqual(idle);
    expect(toWorkerPageState(null)).toEqual(idle);
    expect(toWorkerPageState({ tasksDone: -1, busy: 'yes' })).toEqual(idle);
    expect(toWorkerPageState({ tasksDone: '7' })).toEqual(idle);
    expect(toWorkerPageState({ workerId: 'w-1', tasksDone: 1 }).workerId).toBe('w-1');
    expect(toWorkerPageState({ workerId: 42 }).workerId).toBeUndefined();
  });

  it('takes where the worker stands, its secret and its problem, and nothing unknown', () => {
    const registered = { workerId: 'w-1', secret: 's-1', connection: 'registered' };
    expect(toWorkerPageState(registered)).toMatchObject(registered);
    const rejected = toWorkerPageState({ connection: 'rejected', problem: 'HTTP 401' });
    expect(rejected).toMatchObject({ connection: 'rejected', problem: 'HTTP 401' });
    expect(toWorkerPageState({ connection: 'hacked', secret: 7 })).toEqual(idle);
  });
});

describe('describePoolEvent', () => {
  const member: PoolMemberStatus = {
    name: 'chromium 1/2',
    browser: 'chromium',
    driver: 'puppeteer',
    version: undefined,
    pid: undefined,
    status: 'starting',
    restarts: 0,
    tasksDone: 0,
    busy: false,
    retiring: false,
  };

  it('writes one short progress line per event', () => {
    expect(describePoolEvent({ type: 'launching', member })).toBe('launching chromium 1/2…');
    expect(describePoolEvent({ type: 'launching', member: { ...member, restarts: 2 } })).toBe(
      'relaunching chromium 1/2…',
    );
    expect(describePoolEvent({ type: 'ready', member, startMs: 612 })).toBe(
      'chromium 1/2 ready (0.6 s)',
    );
    expect(
      describePoolEvent({ type: 'relaunching', member, reason: 'page hung', delayMs: 250 }),
    ).toBe('chromium 1/2 page hung; relaunching in 0.3 s');
    expect(describePoolEvent({ type: 'stopped', member })).toBe('chromium 1/2 stopped');
    expect(describePoolEvent({ type: 'failed', member, reason: 'token rejected' })).toBe(
      'chromium 1/2 failed: token rejected',
    );
    expect(
      describePoolEvent({
        type: 'scaled',
        browser: 'chromium',
        from: 1,
        to: 3,
        reason: '49 queued',
      }),
    ).toBe('scaling chromium from 1 to 3: 49 queued');
  });
});
