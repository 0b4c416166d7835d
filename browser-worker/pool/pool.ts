import type { Logger } from 'pino';
import type { WorkerIdentity } from '../../worker-core/index.js';
import type { BrowserCount, BrowserName } from './browser-counts.js';
import type { DriverName } from './drivers/driver.js';
import { ensureBrowsers } from './ensure-browsers.js';
import type { FoundBrowser } from './find-browsers.js';
import { hasGpu } from './has-gpu.js';
import { connectBrowser, effectiveDriver, launchBrowser, type PoolBrowser } from './launch.js';
import { type HealthCheckSettings, type MemberSettings, PoolMember } from './member.js';
import type { PoolEvent, PoolMemberStatus } from './pool-events.js';

export interface PoolOptions {
  /** The coordinator's worker page, e.g. `http://127.0.0.1:8080/worker?token=...`. */
  workerPageUrl: string;
  /** The page at the other members of a cluster, tried in order when a load of it fails. */
  otherPageUrls?: readonly string[];
  browsers: readonly BrowserCount[];
  driver: DriverName;
  /** WebSocket endpoints of running Chromium browsers (CDP) to open the page in as well. */
  connect?: readonly string[];
  /** Recycle a browser once its page has finished this many tasks and is idle. */
  recycleAfterTasks?: number;
  /** Recycle an idle browser whose process tree uses more resident memory than this. */
  maxRssMb?: number;
  /** Chromium's WebGPU on SwiftShader; by default on exactly when the machine has no GPU. */
  softwareWebGpu?: boolean;
  /** The executables to launch; by default found (or installed) with `ensureBrowsers`. */
  executables?: readonly FoundBrowser[];
  healthCheck?: Partial<HealthCheckSettings>;
  logger: Logger;
  onProgress?: (event: PoolEvent) => void;
  /** A browser died or hung: tell the coordinator its worker is lost (see `reportWorkerLost`). */
  onWorkerLost?: (worker: WorkerIdentity, reason: string) => void;
}

export interface Pool {
  members(): PoolMemberStatus[];
  /**
   * Resolves once every member's page has registered as a worker; rejects if one cannot start
   * (its launch, page load or registration failed three times in a row), or fails for good
   * (the coordinator refused the worker token).
   */
  ready: Promise<void>;
  /**
   * Resolves with the first failure no relaunch can mend (the coordinator refused the worker
   * token), before or after `ready`: that member has stopped, and the pool cannot work.
   */
  failure: Promise<Error>;
  /** Closes every browser; browsers that do not close in time are killed with their helpers. */
  stop(): Promise<void>;
}

const DEFAULT_HEALTH_CHECK: HealthCheckSettings = {
  intervalMs: 5_000,
  timeoutMs: 5_000,
  missesAllowed: 3,
  // A page registers within a second or two; a start that takes this long will not finish.
  registerWithinMs: 30_000,
};

/** A member that fails this many launches in a row before its first page load fails `ready`. */
const FIRST_START_ATTEMPTS = 3;

type MemberPlan = Pick<MemberSettings, 'name' | 'browser' | 'driver' | 'start'>;

async function executablesFor(options: PoolOptions): Promise<readonly FoundBrowser[]> {
  if (options.executables !== undefined) return options.executables;
  const names = options.browsers.map((entry) => entry.name);
  if (names.length === 0) return [];
  return ensureBrowsers(names, (line) => options.logger.info({ installer: line }, 'installing'));
}

function executableOf(executables: readonly FoundBrowser[], name: BrowserName): string {
  const found = executables.find((browser) => browser.name === name);
  if (found === undefined) throw new Error(`no ${name} executable given to the pool`);
  return found.executablePath;
}

async function planMembers(options: PoolOptions): Promise<MemberPlan[]> {
  const executables = await executablesFor(options);
  const softwareWebGpu = options.softwareWebGpu ?? !(await hasGpu());
  const launched = options.browsers.flatMap(({ name, count }) => {
    const executablePath = executableOf(executables, name);
    const driver = effectiveDriver(name, options.driver);
    const start = () => launchBrowser({ browser: name, executablePath, driver, softwareWebGpu });
    return Array.from({ length: count }, (_, i): MemberPlan => {
      return { name: `${name} ${i + 1}/${count}`, browser: name, driver, start };
    });
  });
  const endpoints = options.connect ?? [];
  const remote = endpoints.map(
    (endpoint, i): MemberPlan => ({
      name: `remote ${i + 1}/${endpoints.length}`,
      browser: 'chromium',
      driver: options.driver,
      start: (): Promise<PoolBrowser> => connectBrowser(endpoint, options.driver),
    }),
  );
  return [...launched, ...remote];
}

function noteFirefoxDriver(options: PoolOptions): void {
  const firefox = options.browsers.some((entry) => entry.name === 'firefox');
  if (firefox && options.driver === 'playwright') {
    options.logger.info(
      'Firefox runs through the puppeteer driver (WebDriver BiDi): Playwright drives only its own patched Firefox',
    );
  }
}

/**
 * Launches the browsers (all at once), opens the worker page in each and keeps them healthy:
 * crashed or hung browsers are relaunched with backoff, worn-out idle ones recycled. Tasks of a
 * lost page are the coordinator's business (it reassigns them when heartbeats stop).
 */
export async function startPool(options: PoolOptions): Promise<Pool> {
  const plans = await planMembers(options);
  if (plans.length === 0) throw new Error('the pool has no browsers: name some or --connect');
  noteFirefoxDriver(options);
  let settle = { resolve: () => {}, reject: (_error: Error) => {} };
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers may look at `ready` late; a rejection must not crash the process meanwhile.
  ready.catch(() => {});
  let failed = (_error: Error) => {};
  const failure = new Promise<Error>((resolve) => {
    failed = resolve;
  });
  const neverReady = new Set(plans.map((plan) => plan.name));
  const onEvent = (event: PoolEvent) => {
    const { name, restarts } = event.member;
    if (event.type === 'failed') {
      const error = new Error(`${name}: ${event.reason}`);
      settle.reject(error);
      failed(error);
    }
    if (event.type === 'ready' && neverReady.delete(name) && neverReady.size === 0) {
      settle.resolve();
    }
    if (event.type === 'relaunching' && neverReady.has(name) && restarts >= FIRST_START_ATTEMPTS) {
      settle.reject(new Error(`${name} could not start: ${event.reason}`));
    }
    options.onProgress?.(event);
  };
  const health = { ...DEFAULT_HEALTH_CHECK, ...options.healthCheck };
  const members = plans.map(
    (plan) =>
      new PoolMember({
        ...plan,
        workerPageUrls: [options.workerPageUrl, ...(options.otherPageUrls ?? [])],
        recycleAfterTasks: options.recycleAfterTasks,
        maxRssMb: options.maxRssMb,
        health,
        logger: options.logger,
        onEvent,
        ...(options.onWorkerLost === undefined ? {} : { onWorkerLost: options.onWorkerLost }),
      }),
  );
  return {
    members: () => members.map((member) => member.status()),
    ready,
    failure,
    async stop() {
      await Promise.all(members.map((member) => member.stop()));
      settle.reject(new Error('the pool was stopped before it was ready'));
    },
  };
}
