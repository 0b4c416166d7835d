import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { treeRssMb } from '../../child-processes/index.js';
import type { WorkerIdentity } from '../../worker-core/index.js';
import type { BrowserName } from './browser-counts.js';
import type { DriverName, DriverPage } from './drivers/driver.js';
import { closeBrowser, type PoolBrowser } from './launch.js';
import type { PoolEvent, PoolMemberStatus } from './pool-events.js';
import { type RecycleLimits, recycleReason } from './recycle-reason.js';
import { relaunchDelayMs } from './relaunch-delay.js';
import { readWorkerPageState, type WorkerPageState } from './worker-page-state.js';

/**
 * How a page is judged hung: `missesAllowed` state reads in a row that fail or time out; and
 * how long a loaded page's worker may take to register before the launch counts as failed.
 */
export interface HealthCheckSettings {
  intervalMs: number;
  timeoutMs: number;
  missesAllowed: number;
  registerWithinMs: number;
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
/** How much of a page's console error a failure message quotes. */
const MAX_CONSOLE_ERROR_LENGTH = 300;

/** The page of one browser life, what ends that life, and the page's last console error. */
interface WatchedPage {
  page: DriverPage;
  browser: PoolBrowser;
  ended: Promise<Ending>;
  end(ending: Ending): void;
  lastConsoleError(): string | undefined;
}

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
  /** Ends the wait before the next look at the page. */
  private lookNow: (() => void) | undefined;

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
      busy: false,
      retiring: false,
    };
    this.running = this.keepRunning();
  }

  status(): PoolMemberStatus {
    const workerId = this.worker?.workerId;
    return { ...this.state, ...(workerId === undefined ? {} : { workerId }) };
  }

  /**
   * Closes the browser once its page is idle (at its next look at the page) and launches no
   * other: the pool has one browser too many.
   */
  retire(): void {
    this.state.retiring = true;
    // A fresh look, not the last one (seconds old): the page may have taken a task since.
    this.lookNow?.();
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
      if (signal.aborted || (planned && this.state.retiring)) break;
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
   * Starts a browser, opens the worker page, and watches it (see `watchPage`) until its life
   * ends; the member is ready once the page's worker has registered.
   */
  private async runOnce(): Promise<Ending> {
    const { ended, end } = firstEnding();
    const stop = () => end({ reason: 'stopping', planned: true });
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    this.emit({ type: 'launching', member: this.status() });
    const startedAt = performance.now();
    let readyAt: number | undefined;
    let browser: PoolBrowser | undefined;
    try {
      browser = await this.settings.start();
      this.state.version = browser.browser.version;
      this.state.pid = browser.browser.pid;
      browser.browser.onDisconnected(() => end({ reason: 'browser disconnected', planned: false }));
      const page = await browser.browser.newPage();
      const consoleErrors = this.watchPageEvents(page, end);
      const endedEarly = await Promise.race([this.openWorkerPage(page), ended]);
      if (endedEarly !== undefined) return endedEarly;
      this.worker = undefined;
      const watched = { page, browser, ended, end, lastConsoleError: consoleErrors.last };
      this.watchPage(watched, () => {
        readyAt = performance.now();
        this.state.status = 'ready';
        this.emit({ type: 'ready', member: this.status(), startMs: readyAt - startedAt });
      }).catch((error) =>
        end({ reason: `watching the page failed: ${errorText(error)}`, planned: false }),
      );
      const ending = await ended;
      // A worker whose token was refused is no one the coordinator would take a report from.
      if (!ending.planned && ending.final !== true && this.worker !== undefined) {
        this.settings.onWorkerLost?.(this.worker, `${this.state.name}: ${ending.reason}`);
      }
      if (
        !ending.planned &&
        readyAt !== undefined &&
        performance.now() - readyAt > STABLE_AFTER_MS
      ) {
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

  /** Logs the page's console errors and keeps the last one, to name it if the page fails. */
  private watchPageEvents(
    page: DriverPage,
    end: (ending: Ending) => void,
  ): { last: () => string | undefined } {
    const { logger } = this.settings;
    let last: string | undefined;
    page.onGone((reason) => end({ reason, planned: false }));
    page.onConsoleError((text) => {
      last = text.slice(0, MAX_CONSOLE_ERROR_LENGTH);
      logger.warn({ member: this.state.name, text }, 'page error');
    });
    return { last: () => last };
  }

  /**
   * Reads the page's state until the browser's life ends, at once and then every poll (every
   * health interval once registered). The first `registered` makes the member ready; a refused
   * or failed page ends it for good, before or after that; a page that does not register within
   * `registerWithinMs` or stops answering ends it; an idle worn-out one is recycled.
   */
  private async watchPage(watched: WatchedPage, onReady: () => void): Promise<void> {
    const { health, logger } = this.settings;
    const { page, ended, end } = watched;
    const tasksBefore = this.state.tasksDone;
    const registerBy = performance.now() + health.registerWithinMs;
    let over = false;
    void ended.then(() => {
      over = true;
    });
    let registered = false;
    let lastSeen: WorkerPageState | undefined;
    let misses = 0;
    while (!over) {
      try {
        const pageState = await readWorkerPageState(page, health.timeoutMs);
        lastSeen = pageState;
        misses = 0;
        if (pageState.connection === 'rejected' || pageState.connection === 'failed') {
          const reason = pageState.problem ?? `the worker page ${pageState.connection}`;
          end({ reason, planned: false, final: true });
        } else if (!over) {
          const first = !registered && pageState.connection === 'registered';
          if (first) registered = true;
          if (registered) this.takeProgress(pageState, tasksBefore, watched);
          // After the first progress, so that a member ready names its page's worker.
          if (first) onReady();
        }
      } catch (error) {
        misses += 1;
        logger.debug({ member: this.state.name, err: error, misses }, 'page did not answer');
        if (misses >= health.missesAllowed) {
          const when = registered ? '' : ' before registering';
          end({ reason: `page hung${when} (${errorText(error)})`, planned: false });
        }
      }
      if (!registered && performance.now() > registerBy) {
        end({ reason: this.unregistered(lastSeen, watched.lastConsoleError()), planned: false });
      }
      const pollMs = registered ? health.intervalMs : REGISTRATION_POLL_MS;
      const woken = new Promise<void>((resolve) => {
        this.lookNow = resolve;
      });
      await Promise.race([sleep(pollMs, undefined, { ref: false }), ended, woken]);
    }
  }

  /** Keeps the registered page's worker id and task count; recycles it once it is worn out. */
  private takeProgress(pageState: WorkerPageState, tasksBefore: number, watched: WatchedPage) {
    this.worker = identityOf(pageState) ?? this.worker;
    this.state.tasksDone = tasksBefore + pageState.tasksDone;
    this.state.busy = pageState.busy;
    if (this.state.retiring && !pageState.busy) {
      watched.end({ reason: 'scaled down', planned: true });
      return;
    }
    const reason = recycleReason(pageState, this.rssMb(watched.browser), this.settings);
    if (reason !== undefined) watched.end({ reason, planned: true });
  }

  /** Why a page that never registered is given up: what it showed last, and its last error. */
  private unregistered(lastSeen: WorkerPageState | undefined, consoleError: string | undefined) {
    const within = `${this.settings.health.registerWithinMs / 1000} s`;
    const shown = lastSeen === undefined ? 'it never answered' : `it is ${lastSeen.connection}`;
    const error = consoleError === undefined ? '' : `; last page error: ${consoleError}`;
    return `the worker page did not register within ${within} (${shown}${error})`;
  }

  private rssMb(browser: PoolBrowser): number | undefined {
    const { pid } = browser.browser;
    if (this.settings.maxRssMb === undefined || pid === undefined) return undefined;
    return treeRssMb(pid);
  }
}
