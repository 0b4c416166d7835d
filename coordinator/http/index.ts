import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { staticFiles } from './files.js';
import { jsonBodyReader } from './json-body.js';
import { createPipeline } from './pipeline.js';
import type { RouteDeps } from './route.js';
import { ROUTES } from './routes.js';

export type { Access, ClusterPolicy, Route } from './route.js';
export { ROUTES } from './routes.js';
export { createListener, type TlsFiles } from './tls-listener.js';

/** The coordinator's REST API and static files: `ROUTES` behind their policies. */
export function createHttpHandler(
  deps: Omit<RouteDeps, 'readBody' | 'files' | 'loopDelay'>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  return createPipeline(ROUTES, {
    ...deps,
    readBody: jsonBodyReader(deps.ctx.maxMessageBytes),
    files: staticFiles(),
    loopDelay,
  });
}
