import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { treeRssMb } from '../../child-processes/process-memory.js';
import type { WorkerIdentity } from '../../worker-core/index.js';
import type { BrowserName } from './browser-counts.js';
import type { DriverName, DriverPage } from './drivers/driver.js';
import { closeBrowser, type PoolBrowser } from './launch.js';
import type { PoolEvent, PoolMemberStatus } from './pool-events.js';
import { type RecycleLimits, recycleReason } from './recycle-reason.js';
import { relaunchDelayMs } from './relaunch-delay.js';
import { readWorkerPageState, type WorkerPageState } from './worker-page-state.js';

/** How a page is judged hung: `missesAllowed` state reads in a row that fail or time out. */
export interface HealthCheckSettings {
  intervalMs: number;
  timeoutMs: number;
  missesAllowed: number;
}

export interface MemberSettings extends RecycleLimits {
  name: string;
  browser: BrowserName;
  driver: DriverName;
  /** Launches (or connects to) a fresh browser. */
  start(): Promise<PoolBrowser>;
  /** The worker page at each coordinator of the cluster: the first that loads is used. */
  workerPageUrls: readonly string[];
  health: HealthCheckSettings;
  logger: Logger;
  onEvent(event: PoolEvent): void;
  /**
   * Called when a browser's life ends unplanned with the worker id its page registered under
   * and the secret it was issued, so the coordinator can reassign that worker's tasks at once,
   * with the reason.
   */
  onWorkerLost?(worker: WorkerIdentity, reason: string): void;
}

/**
 * Why a browser's life ended; a planned end (recycling, stopping) is not a failure, and a final
 * one (the coordinator refused the worker token) is one no relaunch can mend.
 */
interface Ending {
  reason: string;
  planned: boolean;
  final?: true;
}

/** How often a loaded page is asked whether its worker has registered yet. */
const REGISTRATION_POLL_MS = 100;

function identityOf(page: WorkerPageState): WorkerIdentity | undefined {
  return page.workerId === undefined ? undefined : { workerId: page.workerId, secret: page.secret };
}

/** A browser that stayed up this long had its crash streak forgiven. */
const STABLE_AFTER_MS = 30_000;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstEnding() {
  let end: (ending: Ending) => void = () => {};
  const ended = new Promise<Ending>((resolve) => {
    end = resolve;
  });
  return { ended, end };
}

/** One browser of the pool with its worker page, relaunched whenever it stops being healthy. */
export class PoolMember {
  private readonly state: PoolMemberStatus;
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;
  private failuresInARow = 0;
  /** The worker id of the current page and its secret, once read from it. */
  private worker: WorkerIdentity | undefined;

  constructor(private readonly settings: MemberSettings) {
    this.state = {
      name: settings.name,
      browser: settings.browser,
      driver: settings.driver,
      version: undefined,
      pid: undefined,
      status: 'starting',
      restarts: 0,
      tasksDone: 0,
    };
    this.running = this.keepRunning();
  }

  status(): PoolMemberStatus {
    return { ...this.state };
  }

  /** Closes the browser (killing its process group if it will not close) and stops relaunching. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private emit(event: PoolEvent): void {
    this.settings.onEvent(event);
  }

  private async keepRunning(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const { reason, planned, final } = await this.runOnce();
      if (signal.aborted) break;
      if (final === true) {
        this.fail(reason);
        return;
      }
      this.failuresInARow = planned ? 0 : this.failuresInARow + 1;
      const delayMs = relaunchDelayMs(this.failuresInARow);
      this.state.status = 'relaunching';
      this.state.restarts += 1;
      this.state.pid = undefined;
      this.settings.logger.info({ member: this.state.name, reason, delayMs }, 'relaunching');
      this.emit({ type: 'relaunching', member: this.status(), reason, delayMs });
      await sleep(delayMs, undefined, { signal }).catch(() => {});
    }
    this.state.status = 'stopped';
    this.state.pid = undefined;
    this.emit({ type: 'stopped', member: this.status() });
  }

  /** No relaunch can help: the member stops for good and says why. */
  private fail(reason: string): void {
    this.state.status = 'failed';
    this.state.pid = undefined;
    this.settings.logger.error({ member: this.state.name, reason }, 'failed for good');
    this.emit({ type: 'failed', member: this.status(), reason });
  }

  /**
   * Starts a browser, opens the worker page, waits until its worker has registered, and
   * watches it until its life ends.
   */
  private async runOnce(): Promise<Ending> {
    const { ended, end } = firstEnding();
    const stop = () => end({ reason: 'stopping', planned: true });
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    this.emit({ type: 'launching', member: this.status() });
    const startedAt = performance.now();
    let browser: PoolBrowser | undefined;
    try {
      browser = await this.settings.start();
      this.state.version = browser.browser.version;
      this.state.pid = browser.browser.pid;
      browser.browser.onDisconnected(() => end({ reason: 'browser disconnected', planned: false }));
      const page = await browser.browser.newPage();
      this.watchPageEvents(page, end);
      const loaded = this.openWorkerPage(page);
      const endedEarly = await Promise.race([loaded, ended]);
      if (endedEarly !== undefined) return endedEarly;
      this.worker = undefined;
      const unregistered = await Promise.race([this.awaitRegistration(page, ended), ended]);
      if (unregistered !== undefined) return unregistered;
      const readyAt = performance.now();
      this.state.status = 'ready';
      this.emit({ type: 'ready', member: this.status(), startMs: readyAt - startedAt });
      void this.checkHealth(page, browser, ended, end);
      const ending = await ended;
      if (!ending.planned && this.worker !== undefined) {
        this.settings.onWorkerLost?.(this.worker, `${this.state.name}: ${ending.reason}`);
      }
      if (!ending.planned && performance.now() - readyAt > STABLE_AFTER_MS) {
        this.failuresInARow = 0;
      }
      return ending;
    } catch (error) {
      return { reason: `failed to start: ${errorText(error)}`, planned: false };
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
      if (browser !== undefined) await closeBrowser(browser);
    }
  }

  /** Loads the first worker page that loads; fails with the last failure if none does. */
  private async openWorkerPage(page: DriverPage): Promise<undefined> {
    const [first, ...others] = this.settings.workerPageUrls;
    let failure: unknown;
    for (const url of [first!, ...others]) {
      try {
        await page.goto(url);
        return undefined;
      } catch (error) {
        failure = error;
        this.settings.logger.warn(
          { member: this.state.name, url, err: errorText(error) },
          'worker page did not load',
        );
      }
    }
    throw failure;
  }

  /**
   * Resolves undefined once the page's worker has registered, or with the ending when it never
   * will (its token was refused, it has none) or the page stops answering. Undefined as well
   * once the browser's life has ended otherwise: the caller has that ending.
   */
  private async awaitRegistration(
    page: DriverPage,
    ended: Promise<Ending>,
  ): Promise<Ending | undefined> {
    const { health } = this.settings;
    let over = false;
    void ended.then(() => {
      over = true;
    });
    let misses = 0;
    while (!over) {
      try {
        const pageState = await readWorkerPageState(page, health.timeoutMs);
        misses = 0;
        if (pageState.connection === 'registered') {
          this.worker = identityOf(pageState);
          return undefined;
        }
        if (pageState.connection === 'rejected' || pageState.connection === 'failed') {
          const reason = pageState.problem ?? `the worker page ${pageState.connection}`;
          return { reason, planned: false, final: true };
        }
      } catch (error) {
        misses += 1;
        if (misses >= health.missesAllowed) {
          return { reason: `page hung before registering (${errorText(error)})`, planned: false };
        }
      }
      await Promise.race([sleep(REGISTRATION_POLL_MS, undefined, { ref: false }), ended]);
    }
    return undefined;
  }

  private watchPageEvents(page: DriverPage, end: (ending: Ending) => void): void {
    const { logger } = this.settings;
    page.onGone((reason) => end({ reason, planned: false }));
    page.onConsoleError((text) => logger.warn({ member: this.state.name, text }, 'page error'));
  }

  /** Reads the page's state every interval: hung pages end, idle worn-out ones are recycled. */
  private async checkHealth(
    page: DriverPage,
    browser: PoolBrowser,
    ended: Promise<Ending>,
    end: (ending: Ending) => void,
  ): Promise<void> {
    const { health, logger } = this.settings;
    const tasksBefore = this.state.tasksDone;
    let over = false;
    void ended.then(() => {
      over = true;
    });
    let misses = 0;
    // The first read comes at once, so the page's worker id is known before anything can crash.
    let wait = 0;
    while (!over) {
      await Promise.race([sleep(wait, undefined, { ref: false }), ended]);
      wait = health.intervalMs;
      if (over) return;
      try {
        const pageState = await readWorkerPageState(page, health.timeoutMs);
        this.worker = identityOf(pageState) ?? this.worker;
        misses = 0;
        this.state.tasksDone = tasksBefore + pageState.tasksDone;
        const reason = recycleReason(pageState, this.rssMb(browser), this.settings);
        if (reason !== undefined) end({ reason, planned: true });
      } catch (error) {
        misses += 1;
        logger.debug({ member: this.state.name, err: error, misses }, 'page did not answer');
        if (misses >= health.missesAllowed) {
          end({ reason: `page hung (${errorText(error)})`, planned: false });
        }
      }
    }
  }

  private rssMb(browser: PoolBrowser): number | undefined {
    const { pid } = browser.browser;
    if (this.settings.maxRssMb === undefined || pid === undefined) return undefined;
    return treeRssMb(pid);
  }
}
