import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { liveProcessTree } from '../../../child-processes/process-tree.js';
import {
  kill9,
  processMark,
  spawnDtf,
  waitForMarked,
  waitUntilNoneMarked,
} from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { runningOf } from './browser-processes.js';
import { type StandInPage, serveStandInPage } from './stand-in-page.js';

cleanUpAfterAll();
let page: StandInPage;

beforeAll(async () => {
  page = await serveStandInPage();
});
afterAll(() => page.close());

it('dtf pool shows progress, says when it is ready, and leaves no browser after SIGTERM', async () => {
  const coordinator = new URL(page.url()).origin;
  const pool = spawnDtf([
    'pool',
    '--coordinator',
    coordinator,
    '--token',
    'join-me',
    '--browser',
    'chromium=2',
  ]);
  await pool.waitFor(/^DTF pool ready: chromium×2$/m, 60_000);
  expect(pool.output()).toMatch(/^launching chromium 1\/2…$/m);
  expect(pool.output()).toMatch(/^chromium 2\/2 ready \(\d+\.\d s\)$/m);
  const browsers = liveProcessTree(pool.child.pid!).slice(1);
  expect(browsers.length).toBeGreaterThan(2);

  pool.child.kill('SIGTERM');
  expect(await pool.exited).toBe(0);
  // The pool's reaper, a child as well, ends once it has seen the pool end.
  await vi.waitFor(() => expect(runningOf(browsers)).toEqual([]), { timeout: 10_000 });
});

it.each(['puppeteer', 'playwright'])(
  'dtf pool (%s) killed with SIGKILL leaves no browser process and no profile behind',
  async (driver) => {
    const coordinator = new URL(page.url()).origin;
    const mark = processMark();
    const args = ['--coordinator', coordinator, '--token', 'join-me', '--driver', driver];
    const pool = spawnDtf(['pool', ...args], mark.env);
    const running = await waitForMarked(
      mark.entry,
      (processes) => processes.some((p) => p.command.includes('--type=renderer')),
      'a Chromium renderer',
      60_000,
    );
    const profileDir = running
      .map((p) => p.command.match(/--user-data-dir=(\S+)/)?.[1])
      .find((dir) => dir !== undefined);
    expect(profileDir).toBeDefined();
    await kill9(pool);
    await waitUntilNoneMarked(mark.entry, running);
    expect(existsSync(profileDir!)).toBe(false);
  },
);
