import {
  parseWith,
  RestQueueQuery,
  TASK_KINDS_BY_WORKER,
  type TaskKind,
} from '../../../protocol/index.js';
import type { CoordinatorState } from '../../state/index.js';
import { sendRestError, writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

const KINDS: Record<RestQueueQuery['worker'], ReadonlySet<TaskKind>> = {
  node: new Set(TASK_KINDS_BY_WORKER.node),
  browser: new Set(TASK_KINDS_BY_WORKER.browser),
};

/**
 * Queued tasks that a worker started now could take: a browser worker (of `browser`, when
 * given) or a Node worker (of `slots`, and reporting `features`), with `labels`, a worker
 * group's: what a pool or an autoscaler scales by. Tasks pinned to named workers wait for those;
 * a browser's features are probed when it starts, so they are not asked about.
 */
export function queuedForNewWorker(state: CoordinatorState, query: RestQueueQuery): number {
  const kinds = KINDS[query.worker];
  const labels = query.labels ?? {};
  let queued = 0;
  for (const cls of state.ready.classes.values()) {
    const { requirements: r } = cls;
    if (!kinds.has(cls.kind) || r.workers !== undefined) continue;
    if (r.workerKind !== undefined && r.workerKind !== query.worker) continue;
    if (!Object.entries(r.labels ?? {}).every(([key, value]) => labels[key] === value)) continue;
    if (query.worker === 'browser') {
      if (query.browser !== undefined && r.browser !== undefined && r.browser !== query.browser)
        continue;
    } else {
      if (r.browser !== undefined) continue;
      if ((r.slots ?? 1) > (query.slots ?? Number.POSITIVE_INFINITY)) continue;
      if (!(r.features ?? []).every((feature) => query.features?.includes(feature))) continue;
    }
    queued += cls.queued;
  }
  return queued;
}

export function queueDepth({ query, res }: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RestQueueQuery, query, 'queue query');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  writeJson(res, 200, { queued: queuedForNewWorker(ctx.state, parsed.message) });
}
