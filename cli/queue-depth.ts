import { restGet, toHttpUrl } from '../client/index.js';
import { parseWith, RestQueueReply } from '../protocol/index.js';
import type { CoordinatorAccess } from './connection.js';

/**
 * How many queued tasks a new worker described by `query` (`/api/queue`'s parameters) could
 * take, from the first coordinator that answers: what autoscaling pools scale by.
 */
export function queueDepth(
  access: CoordinatorAccess,
  query: Record<string, string>,
): () => Promise<number> {
  const path = `/api/queue?${new URLSearchParams(query)}`;
  return async () => {
    let failure: unknown;
    for (const url of access.urls) {
      try {
        const reply = await restGet(toHttpUrl(url), path, access.token);
        const parsed = parseWith(RestQueueReply, reply, 'GET /api/queue reply');
        if (parsed.ok) return parsed.message.queued;
        failure = new Error(parsed.error.message);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  };
}
