import type { IncomingMessage } from 'node:http';
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import { LEADER_REDIRECT_HEADER } from '../protocol/index.js';
import { trustedCas } from '../tls-trust/index.js';
import { describeError, describeErrorBody } from './error-text.js';

const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** A handshake the coordinator refused for its credentials: trying another URL will not help. */
export class CredentialsRejectedError extends Error {}

/** A follower's handshake answer: the leader's `/ws` URL. */
class LeaderRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirected to the leader at ${location}`);
  }
}

/** A cluster member's "not now": it knows no leader, or the cluster has no credentials yet. */
class NotReadyRefusal extends Error {}

/** Error codes of a 503 handshake answer that a later try may not get. */
const NOT_READY_CODES = new Set(['not_leader', 'credentials_pending']);

/**
 * No coordinator took the connection, but a cluster member said to try again later (it knows
 * no leader yet, or redirected to one that did not answer): an election is under way.
 */
export class NoLeaderYetError extends Error {}

/** A handshake no retry will mend: a malformed URL, an unknown host, an unexpected status. */
class DefiniteRefusal extends Error {}

function errorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < MAX_ERROR_BODY_BYTES) body += chunk;
    });
    response.on('end', () => resolve(body));
    response.on('error', () => resolve(body));
  });
}

async function describeRefusal(
  url: string,
  token: string | undefined,
  response: IncomingMessage,
): Promise<Error> {
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if ((status === 307 || status === 308) && location !== undefined) {
    response.resume();
    return new LeaderRedirect(location);
  }
  const raw = await readBody(response);
  const body = describeErrorBody(raw);
  const detail = body === '' ? '' : `: ${body}`;
  if (status === 401 || status === 403) {
    const hint = token === undefined ? ' (no token was given)' : '';
    return new CredentialsRejectedError(
      `coordinator at ${url} rejected the credentials (HTTP ${status})${detail}${hint}`,
    );
  }
  const refusal = `handshake refused with HTTP ${status}${detail}`;
  const code = errorCode(raw);
  if (status === 503 && code !== undefined && NOT_READY_CODES.has(code)) {
    return new NotReadyRefusal(refusal);
  }
  return new DefiniteRefusal(refusal);
}

/** Whether trying the URL again cannot help: the URL or the coordinator's answer is wrong. */
function isDefinite(error: unknown): boolean {
  if (error instanceof DefiniteRefusal || error instanceof SyntaxError) return true;
  return (error as NodeJS.ErrnoException).code === 'ENOTFOUND';
}

/** What a socket presents and trusts: its key, and the CA (PEM) that signed the coordinator's certificate. */
export interface SocketAccess {
  token: string | undefined;
  ca?: string | undefined;
}

function openSocket(url: string, access: SocketAccess, timeoutMs: number): Promise<WebSocket> {
  const { token, ca } = access;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      token === undefined ? {} : { Authorization: `Bearer ${token}` };
    headers[LEADER_REDIRECT_HEADER] = '1';
    const socket = new WebSocket(url, {
      headers,
      handshakeTimeout: timeoutMs,
      // Beside the system's CAs, not instead of them.
      ...(ca === undefined ? trustedCas() : { ca: [...rootCertificates, ca] }),
    });
    const fail = (error: Error) => {
      socket.removeAllListeners();
      // Terminating a socket that is still connecting emits one more error; nobody needs it.
      socket.on('error', () => {});
      socket.terminate();
      reject(error);
    };
    socket.once('open', () => {
      socket.removeAllListeners();
      resolve(socket);
    });
    socket.once('error', fail);
    socket.once('unexpected-response', (_request, response) => {
      void describeRefusal(url, token, response).then(fail);
    });
  });
}

/**
 * Opens a WebSocket to the first coordinator that accepts one, trying `urls` in order. A
 * refusal of the credentials ends the search at once, since every coordinator shares them. A
 * cluster follower names the leader; that URL is tried next (once). When none accepts, the
 * error is a `NoLeaderYetError` if a member said to come back later and no URL failed for good.
 */
export async function openFirstSocket(
  urls: readonly string[],
  access: SocketAccess,
  timeoutMs: number,
): Promise<{ socket: WebSocket; url: string }> {
  if (urls.length === 0) throw new Error('no coordinator URL given');
  const failures: string[] = [];
  const queue = [...urls];
  let redirected = false;
  let told = false;
  let definite = false;
  for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
    try {
      return { socket: await openSocket(url, access, timeoutMs), url };
    } catch (error) {
      if (error instanceof CredentialsRejectedError) throw error;
      if (error instanceof LeaderRedirect && !redirected) {
        redirected = true;
        queue.unshift(error.location);
      }
      told ||= error instanceof LeaderRedirect || error instanceof NotReadyRefusal;
      definite ||= isDefinite(error);
      failures.push(`${url}: ${describeError(error)}`);
    }
  }
  const message = `could not connect to any coordinator (tried: ${failures.join('; ')})`;
  throw told && !definite ? new NoLeaderYetError(message) : new Error(message);
}
