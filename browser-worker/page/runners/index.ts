import {
  type Assignment,
  type BrowserCapabilities,
  TASK_KINDS_BY_WORKER,
  type TaskResult,
} from '../../../protocol/index.js';
import {
  errorText,
  type RunAssignment,
  type RunWithRunner,
  runByKind,
  type TaskRunner,
  type WorkerIdentity,
} from '../../../worker-core/index.js';
import type { ArtifactFetcher } from '../artifacts.js';
import { collectConsoleErrors } from '../console-errors.js';
import { TIMED_OUT, within } from '../deadline.js';
import { modelRunner } from './model.js';
import { pageTestRunner } from './page-test.js';
import { pluginRunner } from './plugin.js';
import { shardStageRunner } from './shard-stage.js';
import { webgpuRunner } from './webgpu.js';

/** The task kinds a browser worker runs. */
export const PAGE_TASK_KINDS = TASK_KINDS_BY_WORKER.browser;
type PageTaskKind = (typeof PAGE_TASK_KINDS)[number];

/**
 * Runs each assignment with the runner for its kind, within its timeout, and puts the page's
 * console errors of that time into the result. Never throws.
 */
export function createRunners(
  artifacts: ArtifactFetcher,
  capabilities: BrowserCapabilities,
  identity: () => WorkerIdentity,
): RunAssignment {
  return runByKind<PageTaskKind>(
    'a browser worker',
    {
      model: modelRunner(artifacts, capabilities),
      webgpu: webgpuRunner,
      'page-test': pageTestRunner,
      'shard-stage': shardStageRunner(artifacts, capabilities, identity),
      plugin: pluginRunner,
    },
    runWithConsoleErrors,
  );
}

/** Runs within the assignment's timeout, with the page's console errors of that time. */
const runWithConsoleErrors: RunWithRunner = async (runner, assignment, signal) => {
  const consoleErrors = collectConsoleErrors();
  const result = await runWithin(runner, assignment, signal);
  const logs = consoleErrors.stop();
  return logs.length === 0 ? result : { ...result, logs };
};

/** A hung task cannot be killed inside the page; it is abandoned and reported as timed out. */
async function runWithin(
  runner: TaskRunner,
  assignment: Assignment,
  signal: AbortSignal,
): Promise<TaskResult> {
  const started = performance.now();
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  const run = runner.run(assignment, controller.signal).catch(
    (error: unknown): TaskResult => ({
      status: 'failed',
      durationMs: performance.now() - started,
      error: `runner error: ${errorText(error)}`,
    }),
  );
  const outcome = await within(run, assignment.timeoutMs);
  signal.removeEventListener('abort', forwardAbort);
  if (outcome !== TIMED_OUT) return outcome;
  controller.abort(new Error('timed out'));
  return {
    status: 'timed_out',
    durationMs: performance.now() - started,
    error: `the task did not finish within its timeout of ${assignment.timeoutMs} ms`,
  };
}
