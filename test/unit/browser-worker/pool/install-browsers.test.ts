import { describe, expect, it } from 'vitest';
import { planBrowserInstall } from '../../../../browser-worker/pool/install-browsers.js';

const debian = { platform: 'linux', hasAptGet: true } as const;

describe('planBrowserInstall', () => {
  it('installs only the missing Debian packages with apt-get as root', () => {
    expect(planBrowserInstall(['firefox'], { ...debian, isRoot: true })).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'firefox-esr'],
    ]);
    expect(planBrowserInstall(['chromium', 'firefox'], { ...debian, isRoot: true })[1]).toEqual([
      'apt-get',
      'install',
      '-y',
      '--no-install-recommends',
      'chromium',
      'firefox-esr',
    ]);
  });

  it('tells a user who is not root the exact sudo command', () => {
    expect(() => planBrowserInstall(['chromium', 'firefox'], { ...debian, isRoot: false })).toThrow(
      'chromium and firefox not found; install with: sudo apt-get update && ' +
        'sudo apt-get install -y chromium firefox-esr (or point DTF at a browser: ' +
        'DTF_CHROMIUM=/path/to/chromium-or-chrome DTF_FIREFOX=/path/to/firefox)',
    );
  });

  it('names what to install, and the override, where there is no apt-get', () => {
    const mac = { platform: 'darwin', isRoot: true, hasAptGet: false } as const;
    expect(() => planBrowserInstall(['chromium'], mac)).toThrow(
      'chromium not found; install Chromium or Google Chrome, or point DTF at the executable: ' +
        'DTF_CHROMIUM=/path/to/chromium-or-chrome',
    );
    const fedora = { platform: 'linux', isRoot: true, hasAptGet: false } as const;
    expect(() => planBrowserInstall(['firefox'], fedora)).toThrow(
      'firefox not found; install Firefox, or point DTF at the executable: DTF_FIREFOX=',
    );
  });
});
