import autocannon from 'autocannon';

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
