import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the coordinator's worker page, with the `window.__dtfWorker` state the pool
 * reads (registered at once). Query parameters make it misbehave: `tasks-every-ms` finishes a
 * task that often, `hang-after-ms` blocks the page's only thread for good.
 */
const PAGE = `<!doctype html><title>stand-in worker</title><script>
  const params = new URLSearchParams(location.search);
  window.__dtfWorker = { connection: 'registered', tasksDone: 0, busy: false };
  const every = Number(params.get('tasks-every-ms'));
  if (every > 0) setInterval(() => { window.__dtfWorker.tasksDone += 1; }, every);
  const hangAfter = params.get('hang-after-ms');
  if (hangAfter !== null) setTimeout(() => { for (;;) {} }, Number(hangAfter));
</script>`;

export interface StandInPage {
  /** The `/worker` URL of the stand-in server, with `params` as its query. */
  url(params?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function serveStandInPage(): Promise<StandInPage> {
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/worker') === true) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else {
      response.writeHead(204).end(); // favicon.ico: an empty answer keeps the console quiet
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (params = {}) => `http://127.0.0.1:${port}/worker?${new URLSearchParams(params)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
