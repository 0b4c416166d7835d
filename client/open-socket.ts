import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { describeError, describeErrorBody } from './error-text.js';

const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** A handshake the coordinator refused for its credentials: trying another URL will not help. */
export class CredentialsRejectedError extends Error {}

/** Asks a cluster follower to answer the handshake with a redirect to the leader. */
export const LEADER_REDIRECT_HEADER = 'x-dtf-leader-redirect';

/** A follower's handshake answer: the leader's `/ws` URL. */
class LeaderRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirected to the leader at ${location}`);
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
  const body = describeErrorBody(await readBody(response));
  const detail = body === '' ? '' : `: ${body}`;
  if (status === 401 || status === 403) {
    const hint = token === undefined ? ' (no token was given)' : '';
    return new CredentialsRejectedError(
      `coordinator at ${url} rejected the credentials (HTTP ${status})${detail}${hint}`,
    );
  }
  return new Error(`handshake refused with HTTP ${status}${detail}`);
}

function openSocket(url: string, token: string | undefined, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      token === undefined ? {} : { Authorization: `Bearer ${token}` };
    headers[LEADER_REDIRECT_HEADER] = '1';
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
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
 * cluster follower names the leader; that URL is tried next (once).
 */
export async function openFirstSocket(
  urls: readonly string[],
  token: string | undefined,
  timeoutMs: number,
): Promise<{ socket: WebSocket; url: string }> {
  if (urls.length === 0) throw new Error('no coordinator URL given');
  const failures: string[] = [];
  const queue = [...urls];
  let redirected = false;
  for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
    try {
      return { socket: await openSocket(url, token, timeoutMs), url };
    } catch (error) {
      if (error instanceof CredentialsRejectedError) throw error;
      if (error instanceof LeaderRedirect && !redirected) {
        redirected = true;
        queue.unshift(error.location);
      }
      failures.push(`${url}: ${describeError(error)}`);
    }
  }
  throw new Error(`could not connect to any coordinator (tried: ${failures.join('; ')})`);
}
