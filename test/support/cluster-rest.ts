/** How one REST call to a cluster member ended, as a client that records its history sees it. */
export type ClusterReply =
  /** A member answered (a follower's 307 was followed to the member it named). */
  | { readonly kind: 'answered'; readonly status: number; readonly body: unknown }
  /** No member acted on it: the connection was refused, or followers only sent it around. */
  | { readonly kind: 'not-sent'; readonly reason: string }
  /** It may have reached a member that acted on it, but no answer came back. */
  | { readonly kind: 'ambiguous'; readonly reason: string };

const MAX_REDIRECTS = 3;

/**
 * One REST request to a cluster, starting at member `baseUrl`: a `307` is followed by hand to
 * its `Location` (fetch would drop the bearer token on the way to another origin), anything
 * else is the answer, whichever member gives it.
 */
export async function clusterRequest(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<ClusterReply> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  let url = `${baseUrl}${path}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      // A refused connection reached no process: nothing can have happened.
      return connectionRefused(error)
        ? { kind: 'not-sent', reason: `${url}: connection refused` }
        : { kind: 'ambiguous', reason: `${url}: ${String(error)}` };
    }
    const location = response.headers.get('location');
    if (response.status === 307 && location !== null) {
      await response.body?.cancel();
      url = location;
      continue;
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return { kind: 'ambiguous', reason: `${url}: body lost: ${String(error)}` };
    }
    return { kind: 'answered', status: response.status, body: parseJson(text) };
  }
  return { kind: 'not-sent', reason: `${path}: more than ${MAX_REDIRECTS} redirects` };
}

function connectionRefused(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause as { code?: unknown }).code === 'ECONNREFUSED'
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
