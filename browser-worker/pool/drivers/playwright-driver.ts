import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { BrowserDriver, DriverBrowser, DriverPage, LaunchRequest } from './driver.js';

function wrapPage(page: Page): DriverPage {
  return {
    goto: async (url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    evaluate: (expression) => page.evaluate(expression),
    onGone(listener) {
      page.on('crash', () => listener('page crashed'));
      page.on('close', () => listener('page closed'));
    },
    onConsoleError(listener) {
      page.on('console', (message) => {
        if (message.type() === 'error') listener(message.text());
      });
      page.on('pageerror', (error) => listener(String(error)));
    },
  };
}

/** The browser's main process, as Chromium itself reports it (Playwright does not tell). */
async function browserPid(browser: Browser): Promise<number | undefined> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    return processInfo.find((info) => info.type === 'browser')?.id;
  } finally {
    await session.detach().catch(() => {});
  }
}

/** A browser launched here, through its persistent context: closing that closes the browser. */
async function wrapLaunched(context: BrowserContext, profileDir: string): Promise<DriverBrowser> {
  const browser = context.browser();
  if (browser === null) throw new Error('Playwright gave no browser for its persistent context');
  return {
    version: browser.version(),
    pid: await browserPid(browser),
    profileDir,
    newPage: async () => wrapPage(await context.newPage()),
    onDisconnected(listener) {
      browser.on('disconnected', () => listener());
    },
    close: () => context.close(),
  };
}

/** A browser connected to over CDP: closing closes the pages opened here and disconnects. */
function wrapConnected(browser: Browser): DriverBrowser {
  const pages: Page[] = [];
  return {
    version: browser.version(),
    pid: undefined,
    profileDir: undefined,
    async newPage() {
      const page = await browser.newPage();
      pages.push(page);
      return wrapPage(page);
    },
    onDisconnected(listener) {
      browser.on('disconnected', () => listener());
    },
    async close() {
      await Promise.allSettled(pages.map((page) => page.close()));
      // For a browser connected over CDP, Browser.close() only disconnects.
      await browser.close();
    },
  };
}

/**
 * Chromium only: Playwright drives Firefox through its own patched build, so Firefox goes
 * through the puppeteer driver. Launched as a persistent context, so that its profile (and
 * Playwright's artifacts) lie in a directory made here, where DTF's reaper cleans up, rather
 * than in a temp dir of Playwright's own that a kill -9 would leave behind.
 */
export const playwrightDriver: BrowserDriver = {
  name: 'playwright',
  async launch({ browser, executablePath, args, env, tempDir }: LaunchRequest) {
    if (browser !== 'chromium') throw new Error(`the playwright driver launches only chromium`);
    const ownDir = await mkdtemp(join(tempDir, 'chromium-playwright-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(join(ownDir, 'profile'), {
        executablePath,
        args,
        env: { ...process.env, ...env },
        headless: true,
        artifactsDir: join(ownDir, 'artifacts'),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      return await wrapLaunched(context, ownDir);
    } catch (error) {
      await context?.close().catch(() => {});
      await rm(ownDir, { recursive: true, force: true });
      throw error;
    }
  },
  async connect(endpoint) {
    return wrapConnected(await chromium.connectOverCDP(endpoint));
  },
};
