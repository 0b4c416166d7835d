import type { Command } from 'commander';
import { DtfClient, HttpError, restGet, toHttpUrl } from '../client/index.js';
import { DEFAULT_COORDINATOR_URL } from './options/coordinator-urls.js';

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

/** Connects, runs `use`, and closes the connection whatever happens. */
export async function withClient<T>(
  access: CoordinatorAccess,
  use: (client: DtfClient) => Promise<T>,
): Promise<T> {
  const client = await DtfClient.connect(access);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** GETs a REST path from the first coordinator that answers; an HTTP error status is final. */
export async function restGetFromAny(access: CoordinatorAccess, path: string): Promise<unknown> {
  const failures: string[] = [];
  for (const url of access.urls) {
    try {
      return await restGet(toHttpUrl(url), path, access.token);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`could not reach any coordinator (${failures.join('; ')})`);
}
