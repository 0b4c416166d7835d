import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credentials } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import { describeTask } from '../queries.js';
import { authorized } from './auth.js';
import { sendRestError, writeJson } from './errors.js';

const PREFIX = '/api/tasks/';

/**
 * `GET /api/tasks/:id`, the most frequent read, answered before Express: routing through the
 * middleware stack cost several times the lookup itself. Returns false for any other request.
 */
export function taskReadHandler(ctx: CoordinatorContext, credentials: Credentials | undefined) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (req.method !== 'GET' || !url.startsWith(PREFIX)) return false;
    const end = url.indexOf('?');
    const id = decodedSegment(url.slice(PREFIX.length, end === -1 ? undefined : end));
    // Anything else (a malformed escape too) goes on to Express, which answers it.
    if (id === undefined || id === '' || id.includes('/')) return false;
    if (!authorized(credentials, ['admin'], req, res)) return true;
    answerTaskRead(ctx, id, res);
    return true;
  };
}

/** Answers `GET /api/tasks/:id` for the task `id`. */
export function answerTaskRead(ctx: CoordinatorContext, id: string, res: ServerResponse): void {
  const view = describeTask(ctx.state, ctx.explainer, id, ctx.now());
  if (view === undefined) sendRestError(res, 'not_found', `no task '${id}'`);
  else writeJson(res, 200, view);
}

function decodedSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
