import {
  parseWith,
  ResultsQuery,
  RunOpenRequest,
  RunResultsPage,
  RunResultsRequest,
  RunsQuery,
} from '../../../protocol/index.js';
import { listRuns as listRunViews, queryResults } from '../../run-queries.js';
import { openRun, type RunOutcome, recordRunResults } from '../../runs.js';
import { runView, storedResult } from '../../state/index.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

function answer(call: RouteCall, status: number) {
  return (outcome: RunOutcome) => {
    if ('error' in outcome) sendRestError(call.res, outcome.error.code, outcome.error.message);
    else writeJson(call.res, status, outcome);
  };
}

/** `POST /api/runs`: 201 with the run once durable. */
export function createRun(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RunOpenRequest, call.body, 'run');
  if (!parsed.ok) sendRestError(call.res, parsed.error.code, parsed.error.message);
  else openRun(ctx, parsed.message, auditedCall(call), answer(call, 201));
}

export function addRunResults(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RunResultsRequest, call.body, 'run results');
  if (!parsed.ok) sendRestError(call.res, parsed.error.code, parsed.error.message);
  else recordRunResults(ctx, call.params.id!, parsed.message, auditedCall(call), answer(call, 200));
}

export function listRuns({ query, res }: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RunsQuery, query, 'runs query');
  if (!parsed.ok) sendRestError(res, parsed.error.code, parsed.error.message);
  else writeJson(res, 200, { runs: listRunViews(ctx.state, parsed.message) });
}

/** `GET /api/runs/:id`: the run and a page of its results (`?offset=&limit=`). */
export function getRun({ params, query, res }: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RunResultsPage, query, 'run query');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  const run = ctx.state.runs.get(params.id!);
  if (run === undefined) {
    sendRestError(res, 'not_found', `no run '${params.id}'`);
    return;
  }
  const { offset, limit } = parsed.message;
  const results = run.results
    .slice(offset, offset + limit)
    .map((result) => storedResult(run, result));
  writeJson(res, 200, { run: runView(run), results });
}

export function listResults({ query, res }: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(ResultsQuery, query, 'results query');
  if (!parsed.ok) sendRestError(res, parsed.error.code, parsed.error.message);
  else writeJson(res, 200, { results: queryResults(ctx.state, parsed.message) });
}
