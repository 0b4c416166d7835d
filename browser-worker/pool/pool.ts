import type { Logger } from 'pino';
import type { WorkerIdentity } from '../../worker-core/index.js';
import { type AutoscaleOptions, runAutoscaler } from './autoscaler.js';
import type { BrowserCount, BrowserName } from './browser-counts.js';
import { browserTrust } from './certificate-pins.js';
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
  /** Grow and shrink the browsers of one kind with the queue (their `browsers` count is `min`). */
  autoscale?: AutoscaleOptions;
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

/** The plans of the members the pool starts with, and how to plan one more of a browser. */
async function planMembers(
  options: PoolOptions,
): Promise<{ plans: MemberPlan[]; another: (name: BrowserName, label: string) => MemberPlan }> {
  const executables = await executablesFor(options);
  const softwareWebGpu = options.softwareWebGpu ?? !(await hasGpu());
  const trust = await browserTrust([options.workerPageUrl, ...(options.otherPageUrls ?? [])]);
  const another = (name: BrowserName, label: string): MemberPlan => {
    const executablePath = executableOf(executables, name);
    const driver = effectiveDriver(name, options.driver);
    const start = () =>
      launchBrowser({ browser: name, executablePath, driver, softwareWebGpu, trust });
    return { name: label, browser: name, driver, start };
  };
  const launched = options.browsers.flatMap(({ name, count }) =>
    Array.from({ length: count }, (_, i) => another(name, `${name} ${i + 1}/${count}`)),
  );
  const endpoints = options.connect ?? [];
  const remote = endpoints.map(
    (endpoint, i): MemberPlan => ({
      name: `remote ${i + 1}/${endpoints.length}`,
      browser: 'chromium',
      driver: options.driver,
      start: (): Promise<PoolBrowser> => connectBrowser(endpoint, options.driver),
    }),
  );
  return { plans: [...launched, ...remote], another };
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
  const { plans, another } = await planMembers(options);
  if (plans.length === 0 && options.autoscale === undefined) {
    throw new Error('the pool has no browsers: name some or --connect');
  }
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
  if (neverReady.size === 0) settle.resolve();
  const members: PoolMember[] = [];
  const onEvent = (event: PoolEvent) => {
    options.onProgress?.(event);
    if (event.type === 'scaled') return;
    const { name, restarts } = event.member;
    // A member scaled down is gone for good: it no longer counts as the pool's.
    if (event.type === 'stopped' && event.member.retiring) {
      const at = members.findIndex((m) => m.status().name === name);
      if (at >= 0) members.splice(at, 1);
    }
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
  };
  const health = { ...DEFAULT_HEALTH_CHECK, ...options.healthCheck };
  const newMember = (plan: MemberPlan) =>
    new PoolMember({
      ...plan,
      workerPageUrls: [options.workerPageUrl, ...(options.otherPageUrls ?? [])],
      recycleAfterTasks: options.recycleAfterTasks,
      maxRssMb: options.maxRssMb,
      health,
      logger: options.logger,
      onEvent,
      ...(options.onWorkerLost === undefined ? {} : { onWorkerLost: options.onWorkerLost }),
    });
  members.push(...plans.map(newMember));
  const stopScaling = new AbortController();
  let added = 0;
  const scale = options.autoscale;
  const scaling =
    scale === undefined
      ? Promise.resolve()
      : runAutoscaler(scale, {
          members: () => members.map((member) => member.status()),
          add: (count) => {
            for (let i = 0; i < count; i++) {
              added += 1;
              members.push(newMember(another(scale.browser, `${scale.browser} +${added}`)));
            }
          },
          retire: (names) => {
            for (const member of members) if (names.includes(member.status().name)) member.retire();
          },
          onEvent,
          logger: options.logger,
          signal: stopScaling.signal,
        });
  return {
    members: () => members.map((member) => member.status()),
    ready,
    failure,
    async stop() {
      stopScaling.abort();
      await scaling;
      await Promise.all(members.map((member) => member.stop()));
      settle.reject(new Error('the pool was stopped before it was ready'));
    },
  };
}
