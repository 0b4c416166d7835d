import type { Command } from 'commander';
import type { ZodType } from 'zod';
import {
  DtfClient,
  describeError,
  HttpError,
  restGet,
  restRequest,
  toHttpUrl,
} from '../client/index.js';
import { parseWith } from '../protocol/index.js';
import { DEFAULT_COORDINATOR_URL } from './options/coordinator-urls.js';
import { printStatus } from './output.js';

/** Where the coordinators are and how to authenticate, from the global options. */
export interface CoordinatorAccess {
  urls: string[];
  token: string | undefined;
}

interface GlobalOptions {
  coordinator?: string[];
  token?: string;
}

export function coordinatorAccess(command: Command): CoordinatorAccess {
  const options = command.optsWithGlobals<GlobalOptions>();
  return {
    urls: options.coordinator ?? [DEFAULT_COORDINATOR_URL],
    token: options.token === '' ? undefined : options.token,
  };
}

/**
 * A client of the coordinators (the leader of a cluster). A lost connection is taken up again
 * at the leader by itself; each time, a line on stderr says so.
 */
export function connectClient(access: CoordinatorAccess): Promise<DtfClient> {
  return DtfClient.connect({
    ...access,
    onReconnect: ({ lostUrl, cause, url }) =>
      printStatus(
        `connection to ${lostUrl} lost (${describeError(cause)}); reconnected to leader ${url}`,
      ),
  });
}

/** Connects, runs `use`, and closes the connection whatever happens. */
export async function withClient<T>(
  access: CoordinatorAccess,
  use: (client: DtfClient) => Promise<T>,
): Promise<T> {
  const client = await connectClient(access);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/**
 * Runs a REST call against each coordinator in turn (a follower sends it on to its leader)
 * until one answers. An HTTP error status is final, except 503: that member knows no leader
 * yet, or has not caught up, and the next one may.
 */
export async function restOnAny<T>(
  urls: readonly string[],
  call: (baseHttpUrl: string) => Promise<T>,
): Promise<T> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      return await call(toHttpUrl(url));
    } catch (error) {
      if (error instanceof HttpError && error.status !== 503) throw error;
      failures.push(describeError(error));
    }
  }
  throw new Error(`could not reach any coordinator (${failures.join('; ')})`);
}

/** GETs a REST path from the first coordinator that answers. */
export function restGetFromAny(access: CoordinatorAccess, path: string): Promise<unknown> {
  return restOnAny(access.urls, (base) => restGet(base, path, access.token));
}

/** GETs a REST path from the first coordinator that answers, its reply checked by `schema`. */
export async function restGetChecked<T>(
  access: CoordinatorAccess,
  path: string,
  schema: ZodType<T>,
): Promise<T> {
  const parsed = parseWith(schema, await restGetFromAny(access, path), `GET ${path} reply`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.message;
}

/** POSTs `body` (JSON) to the leader through the first coordinator that answers, its reply checked. */
export async function restPostChecked<T>(
  access: CoordinatorAccess,
  path: string,
  body: object | undefined,
  schema: ZodType<T>,
): Promise<T> {
  const reply = await restOnAny(access.urls, (base) =>
    restRequest(
      'POST',
      base,
      path,
      access.token,
      body === undefined ? undefined : JSON.stringify(body),
    ),
  );
  const parsed = parseWith(schema, reply, `POST ${path} reply`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.message;
}
