import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVersionLine } from '../../../../browser-worker/pool/find-browsers.js';
import { findBrowsers } from '../../../../browser-worker/pool/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterAll(removeTempDirs);

/** A fake browser: a script that prints `versionLine` for `--version`, or fails without one. */
function fakeExecutable(path: string, versionLine?: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const body = versionLine === undefined ? 'exit 1' : `echo "${versionLine}"`;
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function places(env: NodeJS.ProcessEnv, home = tempDir()) {
  return { env, home, extraDirs: [] };
}

describe('findBrowsers', () => {
  it('finds Debian and Chrome executables on PATH, with their versions', async () => {
    const bin = tempDir();
    const chromium = fakeExecutable(join(bin, 'chromium'), 'Chromium 156.0.1 built on Debian');
    const chrome = fakeExecutable(join(bin, 'google-chrome'), 'Google Chrome 150.0.2 ');
    const firefox = fakeExecutable(join(bin, 'firefox-esr'), 'Mozilla Firefox 153.7.0esr');
    expect(await findBrowsers(places({ PATH: `/nonexistent:${bin}` }))).toEqual([
      { name: 'chromium', executablePath: chromium, product: 'Chromium', version: '156.0.1' },
      { name: 'chromium', executablePath: chrome, product: 'Google Chrome', version: '150.0.2' },
      {
        name: 'firefox',
        executablePath: firefox,
        product: 'Mozilla Firefox',
        version: '153.7.0esr',
      },
    ]);
  });

  it('puts DTF_CHROMIUM and DTF_FIREFOX first, and lists a binary reached twice once', async () => {
    const bin = tempDir();
    const onPath = fakeExecutable(join(bin, 'chromium'), 'Chromium 1.0');
    symlinkSync(onPath, join(bin, 'chromium-browser'));
    const custom = fakeExecutable(join(tempDir(), 'my-chrome'), 'Chromium 2.0');
    const firefox = fakeExecutable(join(tempDir(), 'ff'), 'Mozilla Firefox 3.0');
    const found = await findBrowsers(
      places({ PATH: bin, DTF_CHROMIUM: custom, DTF_FIREFOX: firefox }),
    );
    expect(found.map((browser) => browser.executablePath)).toEqual([custom, onPath, firefox]);
  });

  it('finds browsers in a Playwright cache, newest build first', async () => {
    const home = tempDir();
    const cache = join(home, '.cache/ms-playwright');
    const older = fakeExecutable(
      join(cache, 'chromium-1100/chrome-linux/chrome'),
      'Chromium 120.0',
    );
    const newer = fakeExecutable(
      join(cache, 'chromium-1200/chrome-linux64/chrome'),
      'Chromium 140.0',
    );
    const firefox = fakeExecutable(join(cache, 'firefox-1500/firefox/firefox'), 'Firefox 130.0');
    mkdirSync(join(cache, 'chromium_headless_shell-1200'));
    const found = await findBrowsers(places({ PATH: '' }, home));
    expect(found.map((browser) => browser.executablePath)).toEqual([newer, older, firefox]);
    const elsewhere = tempDir();
    const moved = fakeExecutable(join(elsewhere, 'firefox-7/firefox/firefox'), 'Firefox 131.0');
    const viaVariable = await findBrowsers(places({ PLAYWRIGHT_BROWSERS_PATH: elsewhere }));
    expect(viaVariable.map((browser) => browser.executablePath)).toEqual([moved]);
  });

  it('skips executables that cannot tell their version', async () => {
    const bin = tempDir();
    fakeExecutable(join(bin, 'chromium'));
    writeFileSync(join(bin, 'firefox'), 'not executable');
    expect(await findBrowsers(places({ PATH: bin }))).toEqual([]);
  });

  it('refuses an override that is not a working executable', async () => {
    const missing = join(tempDir(), 'nothing');
    await expect(findBrowsers(places({ DTF_CHROMIUM: missing }))).rejects.toThrow(
      `DTF_CHROMIUM=${missing} is not an executable file`,
    );
    const broken = fakeExecutable(join(tempDir(), 'firefox'));
    await expect(findBrowsers(places({ DTF_FIREFOX: broken }))).rejects.toThrow(
      `DTF_FIREFOX=${broken} does not answer --version`,
    );
  });
});

describe('parseVersionLine', () => {
  it('splits product and version, and gives up on text without a version', () => {
    expect(parseVersionLine('Chromium 156.0.8078.108 built on Debian GNU/Linux 12')).toEqual({
      product: 'Chromium',
      version: '156.0.8078.108',
    });
    expect(parseVersionLine('Mozilla Firefox 153.7.0esr')).toEqual({
      product: 'Mozilla Firefox',
      version: '153.7.0esr',
    });
    expect(parseVersionLine('usage: chromium [options]')).toBeUndefined();
  });
});
