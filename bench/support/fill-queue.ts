import { DtfClient } from '../../client/index.js';
import { noopTasks } from './noop-tasks.js';

/**
 * Submits `count` no-op tasks through the client SDK, given the coordinators' `/ws` URLs (it
 * finds the leader among them); they stay queued without workers. Resolves with their ids.
 */
export async function fillQueue(
  wsUrls: readonly string[],
  token: string,
  count: number,
): Promise<string[]> {
  const client = await DtfClient.connect({ urls: [...wsUrls], token });
  try {
    return await client.submit(noopTasks(count));
  } finally {
    await client.close();
  }
}
