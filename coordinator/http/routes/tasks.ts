import { Router } from 'express';
import { TaskState } from '../../../protocol/index.js';
import type { CoordinatorContext } from '../../context.js';
import { listTasks } from '../../queries.js';
import { sendRestError } from '../errors.js';
import { submitTaskBody } from '../task-submit.js';

export function taskRoutes(ctx: CoordinatorContext): Router {
  const router = Router();

  router.post('/tasks/submit', (req, res) => submitTaskBody(ctx, req.body, res));

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
