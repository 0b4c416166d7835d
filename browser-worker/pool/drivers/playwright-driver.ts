import { type Browser, chromium, type Page } from 'playwright-core';
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

/** `closeLaunched` shuts down a launched browser; without it, only this side's pages close. */
function wrapBrowser(
  browser: Browser,
  pid: number | undefined,
  closeLaunched?: () => Promise<void>,
): DriverBrowser {
  const pages: Page[] = [];
  return {
    version: browser.version(),
    pid,
    profileDir: undefined, // Playwright makes the profile and removes it
    async newPage() {
      const page = await browser.newPage();
      pages.push(page);
      return wrapPage(page);
    },
    onDisconnected(listener) {
      browser.on('disconnected', () => listener());
    },
    async close() {
      if (closeLaunched !== undefined) return closeLaunched();
      await Promise.allSettled(pages.map((page) => page.close()));
      await browser.close();
    },
  };
}

/**
 * Chromium only: Playwright drives Firefox through its own patched build, so Firefox goes
 * through the puppeteer driver. The browser is launched as a server, which tells its pid,
 * and Playwright gives it a fresh temp profile (it refuses `--user-data-dir`).
 */
export const playwrightDriver: BrowserDriver = {
  name: 'playwright',
  async launch({ browser, executablePath, args, env }: LaunchRequest) {
    if (browser !== 'chromium') throw new Error(`the playwright driver launches only chromium`);
    const server = await chromium.launchServer({
      executablePath,
      args,
      env: { ...process.env, ...env },
      headless: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    try {
      const connected = await chromium.connect(server.wsEndpoint());
      return wrapBrowser(connected, server.process().pid, () => server.close());
    } catch (error) {
      await server.kill();
      throw error;
    }
  },
  async connect(endpoint) {
    // For a browser connected over CDP, Browser.close() only disconnects.
    return wrapBrowser(await chromium.connectOverCDP(endpoint), undefined);
  },
};
