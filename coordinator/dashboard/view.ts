import {
  type Capabilities,
  DASHBOARD_RUNS,
  type DashboardRun,
  type DashboardView,
  type DashboardWorker,
  TERMINAL_STATES,
  type WatchDashboardMessage,
} from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import { countTasksByState, countWorkersByStatus } from '../queries.js';
import { type RunRecord, type WorkerRecord, workerHealthView } from '../state/index.js';
import type { DashboardActivity } from './activity.js';

type WorkersPage = WatchDashboardMessage['workers'];

/** The parts of the view every watcher shares; the workers' page is each watcher's own. */
export type SharedView = Omit<DashboardView, 'workers'> & {
  workers: Pick<DashboardView['workers'], 'byStatus'>;
};

function kindOf(capabilities: Capabilities): { kind: string; backends: string[] } {
  if (capabilities.kind === 'node')
    return { kind: 'node', backends: capabilities.executionProviders };
  const { browser, webgpu, webnn } = capabilities;
  const backends = ['wasm'];
  if (webgpu.available)
    backends.push(webgpu.adapter?.isFallbackAdapter ? 'webgpu (fallback)' : 'webgpu');
  if (webnn.available) backends.push('webnn');
  return { kind: `${browser.name} ${browser.version.split('.')[0]}`, backends };
}

function dashboardWorker(
  ctx: CoordinatorContext,
  worker: WorkerRecord,
  now: number,
): DashboardWorker {
  const health = workerHealthView(ctx.state, worker, now);
  return {
    id: worker.id,
    name: worker.name,
    status: worker.status,
    ...kindOf(worker.capabilities),
    slots: worker.slots,
    draining: worker.draining,
    health: { score: health.score, breaker: health.breaker },
    running: [...worker.running].map((taskId) => {
      const spec = ctx.state.tasks.get(taskId)?.spec;
      return {
        taskId,
        kind: spec?.kind ?? 'unknown',
        ...(spec?.name === undefined ? {} : { name: spec.name }),
      };
    }),
    lastSeen: worker.lastSeen,
  };
}

/** One page of the workers the filter selects, sorted by name (then id). */
export function workersPage(ctx: CoordinatorContext, page: WorkersPage, now: number) {
  const filter = page.filter?.toLowerCase();
  const matching = [...ctx.state.workers.values()]
    .filter(
      (w) =>
        filter === undefined ||
        w.name.toLowerCase().includes(filter) ||
        w.id.toLowerCase().includes(filter),
    )
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    matching: matching.length,
    offset: page.offset,
    page: matching
      .slice(page.offset, page.offset + page.limit)
      .map((w) => dashboardWorker(ctx, w, now)),
  };
}

function dashboardRun(ctx: CoordinatorContext, run: RunRecord): DashboardRun {
  const tasks = { total: 0, ended: 0, failed: 0, running: 0 };
  for (const task of ctx.state.byGroup.get(run.id) ?? []) {
    tasks.total++;
    if (TERMINAL_STATES.has(task.state)) tasks.ended++;
    if (task.state === 'failed' || task.state === 'timed_out') tasks.failed++;
    if (task.state === 'assigned' || task.state === 'running') tasks.running++;
  }
  const view: DashboardRun = {
    id: run.id,
    suite: run.suite,
    status: run.status,
    startedAt: run.startedAt,
    tasks,
    results: { passed: run.counts.passed, failed: run.counts.failed + run.counts.errors },
  };
  if (run.endedAt !== undefined) view.endedAt = run.endedAt;
  if (run.meta.commit !== undefined) view.commit = run.meta.commit;
  return view;
}

/** Runs still going, newest first, then the latest ended ones. */
function latestRuns(ctx: CoordinatorContext): RunRecord[] {
  const newestFirst = [...ctx.state.runs.values()].reverse();
  const running = newestFirst.filter((r) => r.status === 'running');
  const ended = newestFirst.filter((r) => r.status !== 'running');
  return [...running, ...ended].slice(0, DASHBOARD_RUNS);
}

function coordinatorPart(ctx: CoordinatorContext, now: number): DashboardView['coordinator'] {
  const uptimeMs = now - ctx.startedAt;
  const cluster = ctx.cluster?.status();
  if (cluster === undefined) return { role: 'standalone', uptimeMs };
  return {
    role: cluster.role,
    uptimeMs,
    term: cluster.term,
    leader: cluster.leader,
    members: ctx.cluster?.members() ?? [],
  };
}

/**
 * What every watcher is shown, worked out once per push: counts walk the tasks once (a few ms
 * for a million), everything else is bounded by what it lists.
 */
export function sharedView(
  ctx: CoordinatorContext,
  activity: DashboardActivity,
  now: number,
): SharedView {
  const view: SharedView = {
    at: now,
    coordinator: coordinatorPart(ctx, now),
    tasks: { byState: countTasksByState(ctx.state), queued: ctx.state.ready.size },
    workers: { byStatus: countWorkersByStatus(ctx.state) },
    throughput: activity.throughput(now),
    queueDepth: activity.queue(),
    runs: latestRuns(ctx).map((run) => dashboardRun(ctx, run)),
    failures: activity.latestFailures(),
  };
  const matrix = activity.latestMatrix();
  if (matrix !== undefined) view.matrix = matrix;
  return view;
}
