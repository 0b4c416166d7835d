import autocannon from 'autocannon';
import { measureRate } from './timing.js';

/** The load `measureRequestRate` generates: the same for a figure and its baseline. */
export interface HttpLoad {
  /** Concurrent connections, one request outstanding on each. */
  connections: number;
  seconds: number;
}

/**
 * Requests per second that autocannon, in this process, gets answered with a 2xx by the
 * server at `url` (loopback), cycling through `paths` on every connection. Rejects if any
 * request failed or was answered otherwise.
 */
export async function measureRequestRate(
  url: string,
  paths: readonly string[],
  load: HttpLoad,
  headers: Record<string, string> = {},
): Promise<number> {
  const result = await autocannon({
    url,
    connections: load.connections,
    pipelining: 1,
    duration: load.seconds,
    headers,
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
  const answered = result['2xx'];
  if (result.errors > 0 || result.non2xx > 0 || answered === 0) {
    throw new Error(
      `autocannon against ${url}: ${answered} 2xx, ${result.non2xx} other statuses, ${result.errors} errors (${result.timeouts} timeouts)`,
    );
  }
  return answered / result.duration;
}

/** What the members answered under a load: counts by status, and requests that failed. */
export interface LoadAnswers {
  /** How long the load ran. */
  seconds: number;
  /** Answers per HTTP status (`{ 200: 51234, 307: 1234 }`). */
  statuses: Map<number, number>;
  /** Requests with no answer: refused, reset or timed out. */
  errors: number;
}

/**
 * The load of `measureRequestRate` (autocannon in this process, one request outstanding per
 * connection, cycling through `requests`) against `url`, counting every answer by status
 * instead of failing on anything but 2xx; redirects are counted, not followed.
 */
export async function countAnswers(
  url: string,
  requests: readonly autocannon.Request[],
  load: HttpLoad,
): Promise<LoadAnswers> {
  const result = await autocannon({
    url,
    connections: load.connections,
    pipelining: 1,
    duration: load.seconds,
    requests: [...requests],
  });
  const statuses = new Map<number, number>();
  for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses.set(Number(status), count);
  }
  return { seconds: result.duration, statuses, errors: result.errors };
}

/** One kind of small request, as `measureWriteRate` and the failover probes send it. */
export interface SmallRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** The body of the next request (each write may need a fresh key), if it has one. */
  nextBody?: () => string;
}

/**
 * Requests per second when `connections` clients (autocannon in this process, one request
 * outstanding each, keep-alive) send `count` of `request` to `url` between them, from the first
 * sent to the last answered. Rejects unless every one was answered 2xx.
 */
export async function measureWriteRate(
  url: string,
  request: SmallRequest,
  count: number,
  connections: number,
): Promise<number> {
  const { nextBody } = request;
  return measureRate(count, async () => {
    const result = await autocannon({
      url,
      connections,
      pipelining: 1,
      amount: count,
      requests: [
        {
          method: request.method,
          path: request.path,
          headers: request.headers,
          ...(nextBody === undefined
            ? {}
            : { setupRequest: (req) => ({ ...req, body: nextBody() }) }),
        },
      ],
    });
    if (result.errors > 0 || result.non2xx > 0 || result['2xx'] !== count) {
      throw new Error(
        `${count} writes to ${url}: ${result['2xx']} 2xx, ${result.non2xx} other statuses, ${result.errors} errors (${result.timeouts} timeouts)`,
      );
    }
  });
}
