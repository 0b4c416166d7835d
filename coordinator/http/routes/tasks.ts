import { Router } from 'express';
import { parseWith, RestTasksQuery, RetargetRequest } from '../../../protocol/index.js';
import type { CoordinatorContext } from '../../context.js';
import { listTasks } from '../../queries.js';
import { requestRetarget } from '../../retarget.js';
import { sendRestError } from '../errors.js';
import { answerTaskRead } from '../task-read.js';
import { submitTaskBody } from '../task-submit.js';

export function taskRoutes(ctx: CoordinatorContext): Router {
  const router = Router();

  router.post('/tasks/submit', (req, res) => submitTaskBody(ctx, req.body, res));

  router.post('/tasks/retarget', (req, res) => {
    const parsed = parseWith(RetargetRequest, req.body, 'retarget request');
    if (!parsed.ok) {
      sendRestError(res, parsed.error.code, parsed.error.message);
      return;
    }
    requestRetarget(ctx, parsed.message, (outcome) => {
      if ('error' in outcome) sendRestError(res, outcome.error.code, outcome.error.message);
      else res.json(outcome);
    });
  });

  router.get('/tasks', (req, res) => {
    const parsed = parseWith(RestTasksQuery, req.query, 'tasks query');
    if (!parsed.ok) {
      sendRestError(res, parsed.error.code, parsed.error.message);
      return;
    }
    res.json({ tasks: listTasks(ctx.state, ctx.explainer, parsed.message, ctx.now()) });
  });

  // The spellings of `GET /api/tasks/:id` the fast path leaves to Express (see task-read.ts).
  router.get('/tasks/:id', (req, res) => answerTaskRead(ctx, req.params.id, res));

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
