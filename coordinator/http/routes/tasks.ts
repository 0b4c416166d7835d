import {
  type ProtocolError,
  parseWith,
  RestSubmitBody,
  RestTasksQuery,
  RetargetRequest,
} from '../../../protocol/index.js';
import { describeTask, listTasks as listTaskViews } from '../../queries.js';
import { requestRetarget } from '../../retarget.js';
import { type SubmitOutcome, submitSpecs } from '../../submit.js';
import { sendProtocolError, sendRestError, writeJson } from '../errors.js';
import { auditedCall, grantOf, type RouteCall, type RouteDeps } from '../route.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Before a submit's body is read: the caller's key has submits left in its rate. */
export function submitGate(call: RouteCall, { ctx }: RouteDeps): ProtocolError | undefined {
  return ctx.admission.gate(grantOf(call).keyId);
}

/**
 * `POST /api/tasks/submit` (one spec, an array of them, or `{ tasks: [...] }`): 201 with the
 * task ids once the submit is durable, or the refusal.
 */
export function submitTasks(call: RouteCall, { ctx }: RouteDeps): void {
  const { body, res } = call;
  const tasks = Array.isArray(body)
    ? body
    : isObject(body) && 'tasks' in body
      ? body.tasks
      : [body];
  const parsed = parseWith(RestSubmitBody, { tasks }, 'submit request');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  submitSpecs(
    ctx,
    parsed.message.tasks,
    (outcome: SubmitOutcome) => {
      if ('error' in outcome) sendProtocolError(res, outcome.error);
      else writeJson(res, 201, { taskIds: outcome.taskIds });
    },
    { ...grantOf(call), ...auditedCall(call) },
  );
}

export function retargetTasks(call: RouteCall, { ctx }: RouteDeps): void {
  const { body, res } = call;
  const parsed = parseWith(RetargetRequest, body, 'retarget request');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  requestRetarget(ctx, parsed.message, { ...grantOf(call), ...auditedCall(call) }, (outcome) => {
    if ('error' in outcome) sendRestError(res, outcome.error.code, outcome.error.message);
    else writeJson(res, 200, outcome);
  });
}

export function listTasks({ query, res }: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(RestTasksQuery, query, 'tasks query');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  writeJson(res, 200, {
    tasks: listTaskViews(ctx.state, ctx.explainer, parsed.message, ctx.now()),
  });
}

export function getTask({ params, res }: RouteCall, { ctx }: RouteDeps): void {
  const id = params.id!;
  const view = describeTask(ctx.state, ctx.explainer, id, ctx.now());
  if (view === undefined) sendRestError(res, 'not_found', `no task '${id}'`);
  else writeJson(res, 200, view);
}

export function getResult({ params, res }: RouteCall, { ctx }: RouteDeps): void {
  const task = ctx.state.tasks.get(params.id!);
  if (task === undefined) sendRestError(res, 'not_found', `no task '${params.id}'`);
  else if (task.result === undefined) {
    sendRestError(res, 'not_found', `task '${task.id}' has no result yet (state ${task.state})`);
  } else {
    const { id: taskId, state, attempt, result } = task;
    writeJson(res, 200, { taskId, state, attempt, result });
  }
}
