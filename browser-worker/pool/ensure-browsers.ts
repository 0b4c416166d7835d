import type { BrowserName } from './browser-counts.js';
import { type FoundBrowser, findBrowsers } from './find-browsers.js';
import { findOnPath } from './find-executable.js';
import { installBrowsers, planBrowserInstall } from './install-browsers.js';

function preferred(found: readonly FoundBrowser[], names: readonly BrowserName[]) {
  return names.flatMap((name) => found.find((browser) => browser.name === name) ?? []);
}

function missingOf(found: readonly FoundBrowser[], names: readonly BrowserName[]) {
  return names.filter((name) => !found.some((browser) => browser.name === name));
}

/**
 * The executable of each browser named, installing missing ones where DTF may (root with
 * apt-get); elsewhere it throws an error that says what to install. `onInstallOutput` gets the
 * installer's output line by line.
 */
export async function ensureBrowsers(
  names: readonly BrowserName[],
  onInstallOutput: (line: string) => void,
): Promise<FoundBrowser[]> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return [];
  const found = await findBrowsers();
  const missing = missingOf(found, wanted);
  if (missing.length === 0) return preferred(found, wanted);
  const commands = planBrowserInstall(missing, {
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    hasAptGet: (await findOnPath('apt-get', process.env.PATH)) !== undefined,
  });
  await installBrowsers(commands, onInstallOutput);
  const installed = await findBrowsers();
  const stillMissing = missingOf(installed, wanted);
  if (stillMissing.length > 0) {
    throw new Error(`${stillMissing.join(' and ')} still not found after installing`);
  }
  return preferred(installed, wanted);
}
