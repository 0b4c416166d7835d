import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BrowserName } from './browser-counts.js';

/** Debian's package for each browser (Ubuntu has the same names). */
const DEBIAN_PACKAGES: Record<BrowserName, string> = {
  chromium: 'chromium',
  firefox: 'firefox-esr',
};

const OVERRIDE_HINT: Record<BrowserName, string> = {
  chromium: 'DTF_CHROMIUM=/path/to/chromium-or-chrome',
  firefox: 'DTF_FIREFOX=/path/to/firefox',
};

const OTHER_OS_ADVICE: Record<BrowserName, string> = {
  chromium: 'Chromium or Google Chrome',
  firefox: 'Firefox',
};

export interface InstallSystem {
  platform: NodeJS.Platform;
  isRoot: boolean;
  hasAptGet: boolean;
}

/** A command as program and arguments. */
export type CommandLine = [program: string, ...args: string[]];

export class BrowsersMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowsersMissingError';
  }
}

/**
 * The commands that install `missing` browsers on this system: apt-get as root on Debian or
 * Ubuntu. Anywhere else it throws an error that says exactly what to run or install.
 */
export function planBrowserInstall(
  missing: readonly BrowserName[],
  system: InstallSystem,
): CommandLine[] {
  const packages = missing.map((name) => DEBIAN_PACKAGES[name]);
  const overrides = missing.map((name) => OVERRIDE_HINT[name]).join(' ');
  const subject = `${missing.join(' and ')} not found`;
  if (system.platform === 'linux' && system.hasAptGet) {
    if (system.isRoot) {
      return [
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', '--no-install-recommends', ...packages],
      ];
    }
    throw new BrowsersMissingError(
      `${subject}; install with: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}` +
        ` (or point DTF at a browser: ${overrides})`,
    );
  }
  const advice = missing.map((name) => OTHER_OS_ADVICE[name]).join(' and ');
  throw new BrowsersMissingError(
    `${subject}; install ${advice}, or point DTF at the executable: ${overrides}`,
  );
}

/** Runs one command, passing each output line to `onLine`; rejects on a non-zero exit. */
function runStreaming(command: CommandLine, onLine: (line: string) => void): Promise<void> {
  const [program, ...args] = command;
  const child = spawn(program, args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`'${command.join(' ')}' exited with status ${code}`));
    });
  });
}

export async function installBrowsers(
  commands: readonly CommandLine[],
  onLine: (line: string) => void,
): Promise<void> {
  for (const command of commands) {
    onLine(`$ ${command.join(' ')}`);
    await runStreaming(command, onLine);
  }
}
