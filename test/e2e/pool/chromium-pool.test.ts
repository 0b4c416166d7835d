import { existsSync } from 'node:fs';
import pino from 'pino';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { browserFootprint, runningOf } from './browser-processes.js';
import { PoolEventLog } from './pool-events.js';
import { type StandInPage, serveStandInPage } from './stand-in-page.js';

const logger = pino({ level: 'error' }, pino.destination(2));
let page: StandInPage;

beforeAll(async () => {
  page = await serveStandInPage();
});
afterAll(() => page.close());

describe.each(['puppeteer', 'playwright'] as const)('a Chromium pool driven by %s', (driver) => {
  it('opens the page in each browser, relaunches a killed one, leaves nothing at stop', async () => {
    const log = new PoolEventLog();
    const pool = await startPool({
      workerPageUrl: page.url(),
      browsers: [{ name: 'chromium', count: 2 }],
      driver,
      logger,
      onProgress: log.record,
    });
    try {
      await pool.ready;
      const members = pool.members();
      expect(members.map((member) => [member.name, member.status, member.driver])).toEqual([
        ['chromium 1/2', 'ready', driver],
        ['chromium 2/2', 'ready', driver],
      ]);
      expect(members.every((member) => member.version?.includes('.') === true)).toBe(true);

      const victim = members[0]!;
      const killed = await browserFootprint(victim.pid!);
      const since = log.events.length;
      process.kill(victim.pid!, 'SIGKILL');
      await log.waitFor((e) => e.type === 'ready' && e.member.name === victim.name, since);
      const relaunched = pool.members();
      expect(relaunched.map((member) => member.status)).toEqual(['ready', 'ready']);
      expect(relaunched[0]).toMatchObject({ restarts: 1 });
      expect(relaunched[0]!.pid).not.toBe(victim.pid);
      expect(relaunched[1]).toMatchObject({ restarts: 0, pid: members[1]!.pid });
      expect(runningOf(killed.processes)).toEqual([]);

      const live = await Promise.all(relaunched.map((member) => browserFootprint(member.pid!)));
      await pool.stop();
      expect(pool.members().map((member) => member.status)).toEqual(['stopped', 'stopped']);
      expect(runningOf(live.flatMap((footprint) => footprint.processes))).toEqual([]);
      for (const { profileDir } of [killed, ...live]) {
        if (profileDir !== undefined) expect(existsSync(profileDir)).toBe(false);
      }
    } finally {
      await pool.stop();
    }
  });

  it('opens the page in a remote browser by its endpoint and only disconnects at stop', async () => {
    const remote = await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox'],
    });
    try {
      const pool = await startPool({
        workerPageUrl: page.url({ remote: '1' }),
        browsers: [],
        driver,
        connect: [remote.wsEndpoint()],
        logger,
      });
      await pool.ready;
      expect(pool.members()).toMatchObject([
        { name: 'remote 1/1', status: 'ready', pid: undefined },
      ]);
      const workerPages = async () =>
        (await remote.pages()).filter((tab) => tab.url().includes('remote=1'));
      expect(await workerPages()).toHaveLength(1);
      await pool.stop();
      expect(remote.connected).toBe(true);
      expect(await workerPages()).toHaveLength(0);
    } finally {
      await remote.close();
    }
  });
});
