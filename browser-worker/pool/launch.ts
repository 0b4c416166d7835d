import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { childReaper, killProcessGroupAndWait } from '../../child-processes/index.js';
import type { BrowserName } from './browser-counts.js';
import type { BrowserTrust } from './certificate-pins.js';
import { chromiumArgs } from './chromium-args.js';
import type { BrowserDriver, DriverBrowser, DriverName } from './drivers/driver.js';

const CLOSE_GRACE_MS = 5_000;
/** How long killed processes get to disappear, and a closing library to let go of the browser. */
const CLEANUP_AFTER_KILL_MS = 2_000;

/** A browser of the pool, and the process group to kill if it does not close in time. */
export interface PoolBrowser {
  browser: DriverBrowser;
  processGroup: number | undefined;
}

export interface LaunchOptions {
  browser: BrowserName;
  executablePath: string;
  driver: DriverName;
  /** Chromium only: expose WebGPU through SwiftShader. */
  softwareWebGpu: boolean;
  /** How it trusts a TLS coordinator whose CA was named (`certificate-pins.ts`). */
  trust?: BrowserTrust | undefined;
}

/** The driver that really launches `browser`: Firefox always goes through puppeteer. */
export function effectiveDriver(browser: BrowserName, requested: DriverName): DriverName {
  return browser === 'firefox' ? 'puppeteer' : requested;
}

/** Loaded on first use, so that a pool of one driver never loads the other library. */
async function loadDriver(name: DriverName): Promise<BrowserDriver> {
  if (name === 'puppeteer') return (await import('./drivers/puppeteer-driver.js')).puppeteerDriver;
  return (await import('./drivers/playwright-driver.js')).playwrightDriver;
}

/** Launches a browser that dies with this process, however it ends (see `childReaper`). */
export async function launchBrowser(options: LaunchOptions): Promise<PoolBrowser> {
  const driver = await loadDriver(effectiveDriver(options.browser, options.driver));
  const reaper = childReaper();
  const browser = await driver.launch({
    browser: options.browser,
    executablePath: options.executablePath,
    args:
      options.browser === 'chromium'
        ? [...chromiumArgs(options.softwareWebGpu), ...(options.trust?.chromiumArgs ?? [])]
        : [],
    acceptInsecureCerts:
      options.browser === 'firefox' && options.trust?.acceptInsecureCerts === true,
    env: reaper.env,
    tempDir: reaper.scratchDir,
  });
  const adopted = browser.pid === undefined ? undefined : reaper.adopt(browser.pid);
  // Puppeteer and Playwright start browsers detached: a browser and every helper it forks share
  // a group that outlives a crashed browser. Known only now, while its main process runs.
  const ownGroup = adopted !== undefined && adopted.groupId === adopted.pid;
  return { browser, processGroup: ownGroup ? adopted.pid : undefined };
}

export async function connectBrowser(endpoint: string, driver: DriverName): Promise<PoolBrowser> {
  return { browser: await (await loadDriver(driver)).connect(endpoint), processGroup: undefined };
}

/**
 * Closes gracefully; if that takes too long, fails, or the browser crashed earlier, kills its
 * whole process group so that no helper process outlives it. Then removes its profile.
 */
export async function closeBrowser({ browser, processGroup }: PoolBrowser): Promise<void> {
  const closing = browser.close().then(
    () => true,
    () => false,
  );
  const closed = await Promise.race([closing, sleep(CLOSE_GRACE_MS, false, { ref: false })]);
  if (processGroup !== undefined) {
    await killProcessGroupAndWait(processGroup, CLEANUP_AFTER_KILL_MS);
    if (!closed)
      await Promise.race([closing, sleep(CLEANUP_AFTER_KILL_MS, undefined, { ref: false })]);
  }
  if (browser.pid !== undefined) childReaper().release(browser.pid);
  if (browser.profileDir !== undefined) {
    await rm(browser.profileDir, { recursive: true, force: true });
  }
}
