import { BROWSER_NAMES, isBrowserName } from '../../browser-worker/pool/index.js';
import { type Suite, TASK_KINDS_BY_WORKER } from '../../protocol/index.js';
import { suiteTaskLabel } from '../format/task-label.js';
import { shardedProviders } from './sharded-providers.js';

/** Something in the suite that only a browser worker can run. */
interface BrowserNeed {
  /** The browser it names, or undefined when any browser will do. */
  browser: string | undefined;
  /** What needs it, for error messages: `matrix target 'chrome'`, `task 'login' (tasks[2])`. */
  what: string;
}

function browserNeeds(suite: Suite): BrowserNeed[] {
  const needs: BrowserNeed[] = [];
  for (const target of suite.matrix?.targets ?? []) {
    if (target.worker !== 'node') {
      needs.push({ browser: target.worker, what: `matrix target '${target.worker}'` });
    }
  }
  suite.tasks.forEach((task, index) => {
    const { browser, workerKind } = task.requirements;
    const nodeRunsIt = (TASK_KINDS_BY_WORKER.node as readonly string[]).includes(task.kind);
    if (browser !== undefined || workerKind === 'browser' || !nodeRunsIt) {
      needs.push({ browser, what: suiteTaskLabel(task, index) });
    }
  });
  return needs;
}

const launchable = `dtf run starts ${BROWSER_NAMES.join(' and ')}`;

function checkStartable(suite: Suite, needs: readonly BrowserNeed[], what: string): void {
  for (const name of Object.keys(suite.pool ?? {})) {
    if (!isBrowserName(name)) {
      throw new Error(
        `${what}: pool browser '${name}' is not one dtf run can start (${launchable})`,
      );
    }
  }
  for (const need of needs) {
    if (need.browser !== undefined && !isBrowserName(need.browser)) {
      throw new Error(
        `${what}: ${need.what} needs a ${need.browser} browser, which dtf run cannot start (${launchable}); run the suite with --coordinator on a cluster with a ${need.browser} worker`,
      );
    }
  }
  suite.tasks.forEach((task, index) => {
    const [label] = Object.entries(task.requirements.labels ?? {});
    if (label !== undefined) {
      throw new Error(
        `${what}: ${suiteTaskLabel(task, index)} requires label ${label[0]}=${label[1]}, which no worker dtf run starts has; run the suite on a cluster that has one with --coordinator`,
      );
    }
  });
}

function checkPoolCovers(
  pool: Readonly<Record<string, number>>,
  needs: readonly BrowserNeed[],
  what: string,
): void {
  const started = Object.entries(pool).filter(([, count]) => count > 0);
  const startedText =
    started.length === 0
      ? 'no browser'
      : started.map(([name, count]) => `${name}=${count}`).join(', ');
  for (const need of needs) {
    const met = need.browser === undefined ? started.length > 0 : (pool[need.browser] ?? 0) > 0;
    if (met) continue;
    const wanted = need.browser === undefined ? 'a browser' : `a ${need.browser} browser`;
    throw new Error(
      `${what}: ${need.what} needs ${wanted}, but the suite's pool starts ${startedText}; add it to "pool" or leave "pool" out to start what the suite needs`,
    );
  }
}

/** The most browsers the default pool of a sharded suite starts, however many stages it asks. */
export const MAX_DEFAULT_SHARDING_BROWSERS = 4;

/**
 * A sharded run's stages run side by side only on workers of their own: where it runs on a
 * browser's provider, the pool grows to a browser per stage (at most
 * `MAX_DEFAULT_SHARDING_BROWSERS`), taking the browsers the matrix targets in turn, in the
 * order it names them (Chromium where it targets none).
 */
function roomForStages(suite: Suite, pool: Record<string, number>): void {
  const { matrix } = suite;
  if (matrix?.sharding === undefined) return;
  if (shardedProviders(matrix).every((provider) => provider === 'cpu')) return;
  const targeted = matrix.targets
    .map((target) => target.worker)
    .filter((worker) => worker !== 'node' && isBrowserName(worker));
  const wanted = Math.min(matrix.sharding.stages, MAX_DEFAULT_SHARDING_BROWSERS);
  const browsers = targeted.length === 0 ? ['chromium'] : [...new Set(targeted)];
  let total = Object.values(pool).reduce((sum, n) => sum + n, 0);
  for (let i = 0; total < wanted; i++, total++) {
    const browser = browsers[i % browsers.length]!;
    pool[browser] = (pool[browser] ?? 0) + 1;
  }
}

/**
 * The browsers `dtf run` starts for a suite on its own coordinator, by name: the suite's `pool`
 * where given, else one of each browser the matrix targets and the tasks name (a Chromium when
 * they need just some browser), and for a sharded matrix enough for a browser per stage. Anything the suite asks for that those workers (and the Node
 * worker, which has no labels) could never run is an error naming it, before anything starts:
 * such a task would wait forever. `what` names the suite file.
 */
export function suitePool(suite: Suite, what: string): Record<string, number> {
  const needs = browserNeeds(suite);
  checkStartable(suite, needs, what);
  if (suite.pool !== undefined) {
    checkPoolCovers(suite.pool, needs, what);
    return suite.pool;
  }
  const pool: Record<string, number> = {};
  for (const { browser } of needs) if (browser !== undefined) pool[browser] = 1;
  if (needs.length > 0 && Object.keys(pool).length === 0) pool.chromium = 1;
  roomForStages(suite, pool);
  return pool;
}
