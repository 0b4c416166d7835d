import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { BrowserDriver, DriverBrowser, DriverPage, LaunchRequest } from './driver.js';

function wrapPage(page: Page): DriverPage {
  return {
    goto: async (url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    evaluate: (expression) => page.evaluate(expression),
    onGone(listener) {
      page.on('error', (error) => listener(`page crashed: ${error.message}`));
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

/** `profileDir` is set for a browser launched here, undefined for one connected to. */
async function wrapBrowser(browser: Browser, profileDir?: string): Promise<DriverBrowser> {
  const launched = profileDir !== undefined;
  const pages: Page[] = [];
  return {
    version: await browser.version(),
    pid: browser.process()?.pid,
    profileDir,
    async newPage() {
      const page = await browser.newPage();
      pages.push(page);
      return wrapPage(page);
    },
    onDisconnected(listener) {
      browser.on('disconnected', listener);
    },
    async close() {
      if (launched) return browser.close();
      await Promise.allSettled(pages.map((page) => page.close()));
      await browser.disconnect();
    },
  };
}

/** Chromium over CDP and Firefox over WebDriver BiDi. */
export const puppeteerDriver: BrowserDriver = {
  name: 'puppeteer',
  async launch({
    browser,
    executablePath,
    args,
    env,
    tempDir,
    acceptInsecureCerts,
  }: LaunchRequest) {
    // Made here rather than by puppeteer, so that it lies where DTF's reaper cleans up.
    const profileDir = await mkdtemp(join(tempDir, `${browser}-profile-`));
    try {
      const launched = await puppeteer.launch({
        browser: browser === 'firefox' ? 'firefox' : 'chrome',
        executablePath,
        headless: true,
        args,
        env: { ...process.env, ...env },
        userDataDir: profileDir,
        acceptInsecureCerts,
        // Signals are the pool's business: it closes its browsers itself.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      return await wrapBrowser(launched, profileDir);
    } catch (error) {
      await rm(profileDir, { recursive: true, force: true });
      throw error;
    }
  },
  async connect(endpoint) {
    return wrapBrowser(await puppeteer.connect({ browserWSEndpoint: endpoint }));
  },
};
