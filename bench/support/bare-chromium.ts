import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumArgs } from '../../browser-worker/pool/chromium-args.js';

export interface BareChromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium launched straight with puppeteer-core, with the flags the pool gives its
 * own (WebGPU on SwiftShader included) and a fresh profile that is removed on close.
 */
export async function launchBareChromium(executablePath: string): Promise<BareChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'dtf-bench-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...chromiumArgs(true), `--user-data-dir=${profile}`],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
