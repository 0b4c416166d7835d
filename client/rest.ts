import { createHash } from 'node:crypto';
import { type ArtifactRef, artifactHex, type RestDrainWorkerReply } from '../protocol/index.js';
import { describeError, describeErrorBody } from './error-text.js';

/** A REST request the coordinator answered with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A REST request that got no answer: the coordinator is down, or not listening there. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** Sends one request; error statuses become an `HttpError` with the server's message. */
async function restFetch(
  method: 'GET' | 'PUT' | 'POST',
  baseHttpUrl: string,
  path: string,
  token: string | undefined,
  body?: Uint8Array | string,
): Promise<Response> {
  const url = new URL(path, baseHttpUrl).href;
  const headers: Record<string, string> =
    token === undefined ? {} : { Authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers['Content-Type'] =
      typeof body === 'string' ? 'application/json' : 'application/octet-stream';
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch (error) {
    throw new UnreachableError(`could not reach ${url}: ${describeError(error)}`);
  }
  if (!response.ok) {
    const detail = describeErrorBody(await response.text());
    throw new HttpError(
      response.status,
      `${method} ${url} failed with HTTP ${response.status}${detail === '' ? '' : `: ${detail}`}`,
    );
  }
  return response;
}

/** Sends one request and returns the parsed JSON body; error statuses become an `HttpError`. */
export async function restRequest(
  method: 'GET' | 'PUT' | 'POST',
  baseHttpUrl: string,
  path: string,
  token: string | undefined,
  body?: Uint8Array | string,
): Promise<unknown> {
  const response = await restFetch(method, baseHttpUrl, path, token, body);
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${method} ${response.url} did not return JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * GETs `path` from a coordinator's REST API (`baseHttpUrl` like `http://host:port`) and
 * returns the parsed JSON body. Error statuses become an `HttpError` with the server's message.
 */
export function restGet(
  baseHttpUrl: string,
  path: string,
  token: string | undefined,
): Promise<unknown> {
  return restRequest('GET', baseHttpUrl, path, token);
}

/** Stores a file in the coordinator's artifact store; returns its content-addressed reference. */
export async function uploadArtifact(
  baseHttpUrl: string,
  bytes: Uint8Array,
  token: string | undefined,
): Promise<ArtifactRef> {
  const reply = (await restRequest('PUT', baseHttpUrl, '/api/artifacts', token, bytes)) as {
    ref: ArtifactRef;
  };
  return reply.ref;
}

/** The bytes of a stored artifact, checked against its hash. */
export async function downloadArtifact(
  baseHttpUrl: string,
  ref: ArtifactRef,
  token: string | undefined,
): Promise<Uint8Array> {
  const hex = artifactHex(ref);
  const response = await restFetch('GET', baseHttpUrl, `/api/artifacts/${hex}`, token);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const served = createHash('sha256').update(bytes).digest('hex');
  if (served !== hex)
    throw new Error(`the coordinator served ${ref} as bytes hashing to ${served}`);
  return bytes;
}

/**
 * Tells the coordinator a worker is gone (its browser crashed, say), so its tasks are reassigned
 * now rather than after the heartbeat allowance, with `reason` in their history. Only the
 * worker's own secret (issued at its registration) or the admin key may do this.
 */
export async function reportWorkerLost(
  baseHttpUrl: string,
  token: string | undefined,
  worker: { workerId: string; secret: string | undefined },
  reason: string,
): Promise<void> {
  const { workerId, secret } = worker;
  const body = JSON.stringify({ workerId, status: 'lost', reason, secret });
  await restRequest('POST', baseHttpUrl, '/api/workers/status', token, body);
}

/**
 * Drains a worker (by id, or by name when unique): it takes no new tasks, finishes what it runs
 * within `graceMs` (absent: the worker's own default), hands back the rest and exits.
 */
export async function drainWorker(
  baseHttpUrl: string,
  token: string | undefined,
  worker: string,
  graceMs?: number,
): Promise<RestDrainWorkerReply> {
  const body = JSON.stringify(graceMs === undefined ? {} : { graceMs });
  const path = `/api/workers/${encodeURIComponent(worker)}/drain`;
  return (await restRequest('POST', baseHttpUrl, path, token, body)) as RestDrainWorkerReply;
}
