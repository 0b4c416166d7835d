import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumArgs } from '../../../browser-worker/pool/chromium-args.js';
import { type BrowserName, findBrowsers } from '../../../browser-worker/pool/index.js';

const MISSING: Record<BrowserName, string> = {
  chromium:
    "install Debian's chromium (apt-get install -y chromium) or set DTF_CHROMIUM to a Chromium or Chrome binary",
  firefox:
    "install Debian's firefox-esr (apt-get install -y firefox-esr) or set DTF_FIREFOX to a Firefox binary",
};

/** The browser the pool would pick: DTF_CHROMIUM / DTF_FIREFOX first, then the usual places. */
export async function browserPath(name: BrowserName): Promise<string> {
  const found = (await findBrowsers()).find((browser) => browser.name === name);
  if (found === undefined) throw new Error(`no ${name} found for the e2e tests: ${MISSING[name]}`);
  return found.executablePath;
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Headless, with a fresh profile; Chromium gets WebGPU on SwiftShader. */
export async function launchBrowser(name: BrowserName): Promise<LaunchedBrowser> {
  const executablePath = await browserPath(name);
  const profile = mkdtempSync(join(tmpdir(), `dtf-${name}-`));
  const browser =
    name === 'chromium'
      ? await puppeteer.launch({
          executablePath,
          headless: true,
          args: [...chromiumArgs(true), `--user-data-dir=${profile}`],
        })
      : await puppeteer.launch({
          browser: 'firefox',
          executablePath,
          headless: true,
          userDataDir: profile,
        });
  return {
    browser,
    async close() {
      await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
