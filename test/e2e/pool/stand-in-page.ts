import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in shows once its token is refused (see `refuseToken`). */
export const REJECTED_PROBLEM = 'the coordinator rejected the worker token (HTTP 401)';

/**
 * A stand-in for the coordinator's worker page, with the `window.__dtfWorker` state the pool
 * reads (registered at once). Query parameters make it misbehave: `tasks-every-ms` finishes a
 * task that often, `hang-after-ms` blocks the page's only thread for good, `connection` is where
 * it stands instead of registered, `console-error` is logged as an error at once, and with
 * `refusable=<key>` it turns `rejected` (as when its coordinator came back with a new token)
 * once the test calls `refuseToken(<key>)`.
 */
const PAGE = `<!doctype html><title>stand-in worker</title><script>
  const params = new URLSearchParams(location.search);
  const connection = params.get('connection') ?? 'registered';
  window.__dtfWorker = { connection, tasksDone: 0, busy: false };
  const every = Number(params.get('tasks-every-ms'));
  if (every > 0) setInterval(() => { window.__dtfWorker.tasksDone += 1; }, every);
  const hangAfter = params.get('hang-after-ms');
  if (hangAfter !== null) setTimeout(() => { for (;;) {} }, Number(hangAfter));
  const consoleError = params.get('console-error');
  if (consoleError !== null) console.error(consoleError);
  const refusable = params.get('refusable');
  if (refusable !== null) {
    const poll = setInterval(async () => {
      const refused = await fetch('/refused?key=' + encodeURIComponent(refusable)).then((r) => r.json());
      if (!refused) return;
      clearInterval(poll);
      window.__dtfWorker.connection = 'rejected';
      window.__dtfWorker.problem = '${REJECTED_PROBLEM}';
    }, 50);
  }
</script>`;

export interface StandInPage {
  /** The `/worker` URL of the stand-in server, with `params` as its query. */
  url(params?: Record<string, string>): string;
  /** The pages opened with `refusable=<key>` turn `rejected`. */
  refuseToken(key: string): void;
  close(): Promise<void>;
}

export async function serveStandInPage(): Promise<StandInPage> {
  const refused = new Set<string>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (url.pathname === '/worker') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else if (url.pathname === '/refused') {
      const key = url.searchParams.get('key') ?? '';
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${refused.has(key)}`);
    } else {
      response.writeHead(204).end(); // favicon.ico: an empty answer keeps the console quiet
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (params = {}) => `http://127.0.0.1:${port}/worker?${new URLSearchParams(params)}`,
    refuseToken: (key) => refused.add(key),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
