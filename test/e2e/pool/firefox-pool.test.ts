import { existsSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { browserFootprint, runningOf } from './browser-processes.js';
import { type StandInPage, serveStandInPage } from './stand-in-page.js';

const logger = pino({ level: 'error' }, pino.destination(2));
let page: StandInPage;

beforeAll(async () => {
  page = await serveStandInPage();
});
afterAll(() => page.close());

it('runs Firefox through puppeteer (WebDriver BiDi) even when playwright is asked for', async () => {
  const pool = await startPool({
    workerPageUrl: page.url(),
    browsers: [{ name: 'firefox', count: 1 }],
    driver: 'playwright',
    logger,
  });
  try {
    await pool.ready;
    const [member] = pool.members();
    expect(member).toMatchObject({ name: 'firefox 1/1', status: 'ready', driver: 'puppeteer' });
    const footprint = await browserFootprint(member!.pid!);
    expect(footprint.profileDir).toBeDefined();
    await pool.stop();
    expect(runningOf(footprint.processes)).toEqual([]);
    expect(existsSync(footprint.profileDir!)).toBe(false);
  } finally {
    await pool.stop();
  }
});
