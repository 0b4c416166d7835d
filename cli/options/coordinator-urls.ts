import { InvalidArgumentError } from 'commander';
import { describeError, toWebSocketUrl } from '../../client/index.js';
import { DEFAULT_COORDINATOR_PORT, WS_PATH } from '../../protocol/index.js';

export const DEFAULT_COORDINATOR_URL = `ws://127.0.0.1:${DEFAULT_COORDINATOR_PORT}${WS_PATH}`;

/** Coordinator WebSocket URLs from a comma-separated list of ws(s):// or http(s):// URLs. */
export function parseCoordinatorUrls(text: string): string[] {
  const urls = text
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  if (urls.length === 0) throw new Error(`no coordinator URL in '${text}'`);
  return urls.map(toWebSocketUrl);
}

/** A commander parser for a repeatable `--coordinator`, gathering every URL in order. */
export function collectCoordinatorUrls(text: string, previous: string[] | undefined): string[] {
  try {
    return [...(previous ?? []), ...parseCoordinatorUrls(text)];
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
}
