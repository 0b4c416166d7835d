import { type DtfClient, reportRunResults, restGet, toHttpUrl } from '../../client/index.js';
import { parseWith, RestRunsReply } from '../../protocol/index.js';

/**
 * On a data dir an earlier `dtf run` kept: a run it left open was interrupted (its process
 * ended mid-run, however). Its tasks that had not ended are cancelled, so that they do not run
 * again among this run's, and the run is ended as `interrupted`. Returns how many there were.
 */
export async function endInterruptedRuns(client: DtfClient, token: string): Promise<number> {
  const base = toHttpUrl(client.url);
  const body = await restGet(base, '/api/runs?limit=1000', token);
  const parsed = parseWith(RestRunsReply, body, 'GET /api/runs reply');
  if (!parsed.ok) throw new Error(parsed.error.message);
  const open = parsed.message.runs.filter((run) => run.status === 'running');
  for (const run of open) {
    await client.cancel({ group: run.id });
    await reportRunResults(base, token, run.id, [], 'interrupted');
  }
  return open.length;
}
