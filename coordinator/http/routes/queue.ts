import { parseWith, RestQueueQuery, TASK_KINDS_BY_WORKER } from '../../../protocol/index.js';
import type { CoordinatorState } from '../../state/index.js';
import { sendRestError, writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

const BROWSER_KINDS: ReadonlySet<string> = new Set(TASK_KINDS_BY_WORKER.browser);

/**
 * Queued tasks that a browser worker started now (of `browser`, when given; with no labels, as
 * a pool's are) could take: what a pool scales by. Tasks pinned to named workers wait for those.
 */
export function queuedForNewBrowser(state: CoordinatorState, browser?: string): number {
  let queued = 0;
  for (const cls of state.ready.classes.values()) {
    const { requirements: r } = cls;
    if (!BROWSER_KINDS.has(cls.kind)) continue;
    if (r.workerKind === 'node' || r.workers !== undefined) continue;
    if (Object.keys(r.labels ?? {}).length > 0) continue;
    if (browser !== undefined && r.browser !== undefined && r.browser !== browser) continue;
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
  writeJson(res, 200, { queued: queuedForNewBrowser(ctx.state, parsed.message.browser) });
}
