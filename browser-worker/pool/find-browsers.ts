import { execFile } from 'node:child_process';
import { readdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { BROWSER_NAMES, type BrowserName } from './browser-counts.js';
import { findOnPath, isExecutableFile } from './find-executable.js';

export interface FoundBrowser {
  name: BrowserName;
  executablePath: string;
  /** e.g. `Chromium`, `Google Chrome`, `Mozilla Firefox` */
  product: string;
  /** e.g. `156.0.8078.108`, `153.7.0esr` */
  version: string;
}

/** Where to look; the defaults are this process's environment and home directory. */
export interface BrowserSearchPlaces {
  /** `DTF_CHROMIUM`, `DTF_FIREFOX`, `PATH` and `PLAYWRIGHT_BROWSERS_PATH` are read. */
  env: NodeJS.ProcessEnv;
  home: string;
  /** Searched after PATH, for services started with a short PATH. */
  extraDirs: string[];
}

const OVERRIDE_VARIABLE: Record<BrowserName, string> = {
  chromium: 'DTF_CHROMIUM',
  firefox: 'DTF_FIREFOX',
};

const EXECUTABLE_NAMES: Record<BrowserName, string[]> = {
  chromium: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'],
  firefox: ['firefox-esr', 'firefox'],
};

/** Inside `ms-playwright/<name>-<build>/`; Chromium moved to `chrome-linux64` in newer builds. */
const PLAYWRIGHT_CACHE_PATHS: Record<BrowserName, string[]> = {
  chromium: ['chrome-linux64/chrome', 'chrome-linux/chrome'],
  firefox: ['firefox/firefox'],
};

const VERSION_TIMEOUT_MS = 15_000;

function defaultPlaces(): BrowserSearchPlaces {
  return { env: process.env, home: homedir(), extraDirs: ['/usr/bin', '/opt/google/chrome'] };
}

async function playwrightCacheCandidates(
  name: BrowserName,
  places: BrowserSearchPlaces,
): Promise<string[]> {
  const cache = places.env.PLAYWRIGHT_BROWSERS_PATH ?? join(places.home, '.cache/ms-playwright');
  const builds = await readdir(cache).catch(() => []);
  const buildNumber = (dir: string) => Number(dir.slice(name.length + 1));
  const newestFirst = builds
    .filter((dir) => dir.startsWith(`${name}-`) && Number.isInteger(buildNumber(dir)))
    .sort((a, b) => buildNumber(b) - buildNumber(a));
  return newestFirst.flatMap((dir) =>
    PLAYWRIGHT_CACHE_PATHS[name].map((inside) => join(cache, dir, inside)),
  );
}

async function candidatePaths(name: BrowserName, places: BrowserSearchPlaces): Promise<string[]> {
  const searchPath = [places.env.PATH ?? '', ...places.extraDirs].join(delimiter);
  const onPath = await Promise.all(
    EXECUTABLE_NAMES[name].map((executable) => findOnPath(executable, searchPath)),
  );
  const cached = await playwrightCacheCandidates(name, places);
  const executableCached = await Promise.all(
    cached.map(async (path) => ((await isExecutableFile(path)) ? path : undefined)),
  );
  return [...onPath, ...executableCached].filter((path) => path !== undefined);
}

/** Splits `Chromium 156.0.8078.108 built on Debian` into product and version. */
export function parseVersionLine(line: string): { product: string; version: string } | undefined {
  const match = line.match(/^(.*?)\s*(\d+(?:\.\d+)+\S*)/);
  if (match === null) return undefined;
  return { product: match[1]!.trim(), version: match[2]! };
}

async function describeExecutable(
  name: BrowserName,
  executablePath: string,
): Promise<FoundBrowser | undefined> {
  try {
    const { stdout } = await promisify(execFile)(executablePath, ['--version'], {
      timeout: VERSION_TIMEOUT_MS,
    });
    const parsed = parseVersionLine(stdout.trim());
    return parsed === undefined ? undefined : { name, executablePath, ...parsed };
  } catch {
    return undefined; // an executable that cannot tell its version will not launch either
  }
}

async function overridePath(name: BrowserName, places: BrowserSearchPlaces) {
  const variable = OVERRIDE_VARIABLE[name];
  const path = places.env[variable];
  if (path === undefined || path === '') return undefined;
  if (!(await isExecutableFile(path))) {
    throw new Error(`${variable}=${path} is not an executable file`);
  }
  return path;
}

async function findBrowser(name: BrowserName, places: BrowserSearchPlaces) {
  const override = await overridePath(name, places);
  const paths = [
    ...(override === undefined ? [] : [override]),
    ...(await candidatePaths(name, places)),
  ];
  // The same binary is often reachable by several names (chromium, /usr/bin/chromium, links).
  const unique = new Map<string, string>();
  for (const path of paths) {
    const real = await realpath(path);
    if (!unique.has(real)) unique.set(real, path);
  }
  const described = await Promise.all(
    [...unique.values()].map((path) => describeExecutable(name, path)),
  );
  if (override !== undefined && described[0] === undefined) {
    throw new Error(`${OVERRIDE_VARIABLE[name]}=${override} does not answer --version`);
  }
  return described.filter((found) => found !== undefined);
}

/**
 * Every working browser executable found, the preferred one of each browser first: the
 * `DTF_CHROMIUM` / `DTF_FIREFOX` override, then PATH (Debian's `chromium` and `firefox-esr`,
 * Google Chrome), then a Playwright browser cache, newest build first.
 */
export async function findBrowsers(
  places: BrowserSearchPlaces = defaultPlaces(),
): Promise<FoundBrowser[]> {
  const found = await Promise.all(BROWSER_NAMES.map((name) => findBrowser(name, places)));
  return found.flat();
}
