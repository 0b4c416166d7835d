import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseWith, RestSubmitBody } from '../../protocol/index.js';
import type { Credentials } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import { type SubmitOutcome, submitSpecs } from '../submit.js';
import { authorized } from './auth.js';
import { sendRestError, sendThrownError, type ThrownError, writeJson } from './errors.js';
import { jsonBodyReader } from './json-body.js';

const PATH = '/api/tasks/submit';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Answers a parsed `POST /api/tasks/submit` body (one spec, an array of them, or
 * `{ tasks: [...] }`): 201 with the task ids once the submit is durable, or the refusal.
 */
export function submitTaskBody(ctx: CoordinatorContext, body: unknown, res: ServerResponse): void {
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
  submitSpecs(ctx, parsed.message.tasks, (outcome: SubmitOutcome) => {
    if ('error' in outcome) sendRestError(res, outcome.error.code, outcome.error.message);
    else writeJson(res, 201, { taskIds: outcome.taskIds });
  });
}

/**
 * `POST /api/tasks/submit`, the most frequent write, answered before Express as the app would
 * (admin auth before the body is read, the same body reader and limits, the same answers): the
 * router's middleware stack cost more than the submit itself. Returns false for any other
 * request; Express still routes the spellings this exact path does not match (a trailing
 * slash, other case).
 */
export function taskSubmitHandler(ctx: CoordinatorContext, credentials: Credentials | undefined) {
  const read = jsonBodyReader(ctx.maxMessageBytes);
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || (url !== PATH && !url.startsWith(`${PATH}?`))) return false;
    if (!authorized(credentials, ['admin'], req, res)) return true;
    read(req, res, 'admin', (error?: ThrownError) => {
      if (error !== undefined) {
        sendThrownError(res, error);
        return;
      }
      try {
        submitTaskBody(ctx, req.body, res);
      } catch (thrown) {
        // What Express's error handler would have answered.
        sendThrownError(res, thrown as ThrownError);
      }
    });
    return true;
  };
}
