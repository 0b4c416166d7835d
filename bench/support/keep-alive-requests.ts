import { Agent, request as httpRequest } from 'node:http';
import { runConcurrently } from './concurrency.js';
import { measureRate } from './timing.js';

/** One kind of small request, as `measureWriteRate` and the failover probes send it. */
export interface SmallRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** The body of the next request (each write may need a fresh key), if it has one. */
  nextBody?: () => string;
}

/**
 * Sends one `request` to `url` through `agent` and resolves with the answer's status once its
 * body is read; redirects are answers, not followed. Rejects if the connection fails or
 * `signal` aborts first.
 */
export function sendSmallRequest(
  agent: Agent,
  url: string,
  request: SmallRequest,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = request.nextBody?.();
    const headers =
      body === undefined
        ? request.headers
        : { ...request.headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(`${url}${request.path}`, {
      method: request.method,
      headers,
      agent,
      ...(signal === undefined ? {} : { signal }),
    });
    req.once('error', reject);
    req.once('response', (res) => {
      res.once('error', reject);
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.end(body);
  });
}

/**
 * Requests per second when `clients` clients, each with one keep-alive connection and one
 * request outstanding, send `count` of `request` to `url` between them: from the first sent to
 * the last answered. Rejects unless every one is answered 2xx. Node's own HTTP client, so that
 * both sides of a comparison get the same client with the same overhead.
 */
export async function measureWriteRate(
  url: string,
  request: SmallRequest,
  count: number,
  clients: number,
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    return await measureRate(count, () =>
      runConcurrently(count, clients, async () => {
        const status = await sendSmallRequest(agent, url, request);
        if (status < 200 || status > 299) {
          throw new Error(`${request.method} ${url}${request.path} answered ${status}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}
