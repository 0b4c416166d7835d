import type {
  ProtocolError,
  RunOpenRequest,
  RunResultsRequest,
  RunView,
} from '../protocol/index.js';
import type { Audited } from './audit-stamp.js';
import type { CoordinatorContext } from './context.js';
import { refusesResults, runView } from './state/index.js';

export type RunOutcome = { error: ProtocolError } | { run: RunView };

/** Runs of each suite, and days, the results store keeps. */
export interface RunRetention {
  runs: number;
  days: number;
}

const HOUR_MS = 3_600_000;

/**
 * Opens a run (once durable, `reply` has it); opening one that exists answers it as it is when
 * it is the same suite (a client retrying), a conflict otherwise.
 */
export function openRun(
  ctx: CoordinatorContext,
  request: RunOpenRequest,
  by: Audited,
  reply: (outcome: RunOutcome) => void,
): void {
  const existing = ctx.state.runs.get(request.id);
  if (existing !== undefined && existing.suite !== request.suite) {
    reply(conflict(`run '${request.id}' exists, for suite '${existing.suite}'`));
    return;
  }
  ctx.commit.submit(
    { type: 'OpenRun', now: ctx.now(), run: request, ...by },
    () => {
      const run = ctx.state.runs.get(request.id);
      if (run === undefined) reply(conflict(`run '${request.id}' was pruned as it opened`));
      else reply({ run: runView(run) });
    },
    (error) => reply({ error }),
  );
}

/**
 * Appends results to an open run and, with `end`, ends it (then prunes by the retention).
 * Refused with a conflict when the run has ended or would hold too many results.
 */
export function recordRunResults(
  ctx: CoordinatorContext,
  runId: string,
  request: RunResultsRequest,
  by: Audited,
  reply: (outcome: RunOutcome) => void,
): void {
  const refused = refusesResults(ctx.state.runs.get(runId), runId, request.results.length);
  if (refused !== undefined) {
    reply(
      ctx.state.runs.has(runId)
        ? conflict(refused)
        : { error: { code: 'not_found', message: refused } },
    );
    return;
  }
  const command = {
    type: 'RecordRunResults' as const,
    now: ctx.now(),
    runId,
    results: request.results,
    ...(request.end === undefined ? {} : { end: request.end }),
    ...by,
  };
  ctx.commit.submit(
    command,
    (events) => {
      const refusal = events.find((e) => e.type === 'RunResultsRefused');
      const run = ctx.state.runs.get(runId);
      if (refusal !== undefined || run === undefined) {
        reply(conflict(refusal?.reason ?? `run '${runId}' was pruned`));
        return;
      }
      reply({ run: runView(run) });
      if (request.end !== undefined) pruneRuns(ctx);
    },
    (error) => reply({ error }),
  );
}

function conflict(message: string): { error: ProtocolError } {
  return { error: { code: 'conflict', message } };
}

/** Proposes pruning by the retention; in a cluster only the leader's proposal goes anywhere. */
export function pruneRuns(ctx: CoordinatorContext): void {
  const { retention } = ctx;
  if (ctx.cluster !== undefined && !ctx.cluster.isLeader) return;
  ctx.commit.submit(
    { type: 'PruneRuns', now: ctx.now(), keepRuns: retention.runs, keepDays: retention.days },
    (events) => {
      for (const e of events) {
        if (e.type === 'RunsPruned') ctx.logger.info({ runs: e.runIds.length }, 'runs pruned');
      }
    },
    () => {},
  );
}

/** Prunes at start and every hour, so runs age out of a store nobody writes to. Returns the stop. */
export function startRunRetention(ctx: CoordinatorContext): () => void {
  pruneRuns(ctx);
  const timer = setInterval(() => pruneRuns(ctx), HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
