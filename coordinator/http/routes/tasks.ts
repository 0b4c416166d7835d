import { Router } from 'express';
import { parseWith, RestSubmitBody, TaskState } from '../../../protocol/index.js';
import type { CoordinatorContext } from '../../context.js';
import { listTasks } from '../../queries.js';
import { type SubmitOutcome, submitSpecs } from '../../submit.js';
import { sendRestError } from '../errors.js';

export function taskRoutes(ctx: CoordinatorContext): Router {
  const router = Router();

  router.post('/tasks/submit', async (req, res) => {
    const body: unknown = req.body;
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
    const outcome = await new Promise<SubmitOutcome>((resolve) =>
      submitSpecs(ctx, parsed.message.tasks, resolve),
    );
    if ('error' in outcome) sendRestError(res, outcome.error.code, outcome.error.message);
    else res.status(201).json({ taskIds: outcome.taskIds });
  });

  router.get('/tasks', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state !== undefined && !TaskState.safeParse(state).success) {
      sendRestError(
        res,
        'invalid_message',
        `unknown state '${state}' (one of: ${TaskState.options.join(', ')})`,
      );
      return;
    }
    const limit = Math.min(Number(req.query.limit ?? 1000) || 1000, 10_000);
    const afterSeq = req.query.afterSeq === undefined ? undefined : Number(req.query.afterSeq);
    const tasks = listTasks(
      ctx.state,
      ctx.explainer,
      {
        state: state as TaskState | undefined,
        group: typeof req.query.group === 'string' ? req.query.group : undefined,
        afterSeq,
        limit,
      },
      ctx.now(),
    );
    res.json({ tasks });
  });

  router.get('/results/:id', (req, res) => {
    const task = ctx.state.tasks.get(req.params.id);
    if (task === undefined) sendRestError(res, 'not_found', `no task '${req.params.id}'`);
    else if (task.result === undefined) {
      sendRestError(res, 'not_found', `task '${task.id}' has no result yet (state ${task.state})`);
    } else
      res.json({ taskId: task.id, state: task.state, attempt: task.attempt, result: task.result });
  });

  return router;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
