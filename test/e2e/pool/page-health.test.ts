import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PoolOptions, startPool } from '../../../browser-worker/pool/index.js';
import { PoolEventLog } from './pool-events.js';
import { REJECTED_PROBLEM, type StandInPage, serveStandInPage } from './stand-in-page.js';

const logger = pino({ level: 'error' }, pino.destination(2));
let page: StandInPage;

beforeAll(async () => {
  page = await serveStandInPage();
});
afterAll(() => page.close());

/** Starts a one-Chromium pool, waits for its first relaunch and returns that event's reason. */
async function firstRelaunchReason(options: Partial<PoolOptions>): Promise<string> {
  const log = new PoolEventLog();
  const pool = await startPool({
    workerPageUrl: page.url(),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    healthCheck: { intervalMs: 200, timeoutMs: 500, missesAllowed: 2 },
    logger,
    onProgress: log.record,
    ...options,
  });
  try {
    await pool.ready;
    const relaunch = await log.waitFor((event) => event.type === 'relaunching');
    await log.waitFor((event) => event.type === 'ready' && event.member.restarts === 1);
    return relaunch.type === 'relaunching' ? relaunch.reason : '';
  } finally {
    await pool.stop();
  }
}

it('relaunches a browser whose page stops answering', async () => {
  const reason = await firstRelaunchReason({ workerPageUrl: page.url({ 'hang-after-ms': '300' }) });
  expect(reason).toMatch(/^page hung \(the page did not answer within 500 ms\)$/);
});

it('recycles a browser once its page has finished enough tasks', async () => {
  const reason = await firstRelaunchReason({
    workerPageUrl: page.url({ 'tasks-every-ms': '50' }),
    recycleAfterTasks: 5,
  });
  expect(reason).toMatch(/^recycled after \d+ tasks$/);
});

it('recycles a browser above its memory ceiling', async () => {
  const reason = await firstRelaunchReason({ maxRssMb: 1 });
  expect(reason).toMatch(/^recycled at \d+ MB resident \(limit 1 MB\)$/);
});

it('fails for good, with the problem, when the token is refused after the page was ready', async () => {
  const log = new PoolEventLog();
  const pool = await startPool({
    workerPageUrl: page.url({ refusable: 'after-ready' }),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    healthCheck: { intervalMs: 200 },
    logger,
    onProgress: log.record,
  });
  try {
    await pool.ready;
    page.refuseToken('after-ready');
    const failed = await log.waitFor((event) => event.type === 'failed', 0, 30_000);
    expect(failed).toMatchObject({ reason: REJECTED_PROBLEM, member: { status: 'failed' } });
    expect((await pool.failure).message).toBe(`chromium 1/1: ${REJECTED_PROBLEM}`);
    expect(pool.members()).toMatchObject([{ status: 'failed', pid: undefined, restarts: 0 }]);
    expect(log.events.some((event) => event.type === 'relaunching')).toBe(false);
  } finally {
    await pool.stop();
  }
});

it('gives up a page that never registers, naming what it shows and its last error', async () => {
  const pool = await startPool({
    workerPageUrl: page.url({
      connection: 'connecting',
      'console-error': "coordinator error: 'register' is not a valid message",
    }),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    healthCheck: { registerWithinMs: 500 },
    logger,
  });
  try {
    const problem =
      "the worker page did not register within 0.5 s (it is connecting; last page error: coordinator error: 'register' is not a valid message)";
    await expect(pool.ready).rejects.toThrow(`chromium 1/1 could not start: ${problem}`);
    expect(pool.members()[0]!.restarts).toBeGreaterThanOrEqual(3);
  } finally {
    await pool.stop();
  }
}, 60_000);
