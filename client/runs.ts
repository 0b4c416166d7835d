import {
  MAX_RESULTS_PER_REQUEST,
  parseWith,
  RestRunReply,
  type ResultInput,
  type RunOpenRequest,
  type RunStatus,
  type RunView,
} from '../protocol/index.js';
import { restRequest } from './rest.js';

async function runReply(reply: Promise<unknown>, what: string): Promise<RunView> {
  const parsed = parseWith(RestRunReply, await reply, what);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.message.run;
}

/** Opens a run in the coordinator's results store; submit its tasks with its id as their group. */
export function openRun(
  baseHttpUrl: string,
  token: string | undefined,
  run: RunOpenRequest,
): Promise<RunView> {
  const reply = restRequest('POST', baseHttpUrl, '/api/runs', token, JSON.stringify(run));
  return runReply(reply, 'POST /api/runs reply');
}

/**
 * Records a run's results, as many requests as their number takes, and ends it with `status`
 * in the last one. Returns the run as stored.
 */
export async function reportRunResults(
  baseHttpUrl: string,
  token: string | undefined,
  runId: string,
  results: readonly ResultInput[],
  status: Exclude<RunStatus, 'running'>,
): Promise<RunView> {
  const path = `/api/runs/${encodeURIComponent(runId)}/results`;
  let from = 0;
  for (;;) {
    const part = results.slice(from, from + MAX_RESULTS_PER_REQUEST);
    from += part.length;
    const last = from >= results.length;
    const body = JSON.stringify(last ? { results: part, end: { status } } : { results: part });
    const run = await runReply(
      restRequest('POST', baseHttpUrl, path, token, body),
      `POST ${path} reply`,
    );
    if (last) return run;
  }
}
