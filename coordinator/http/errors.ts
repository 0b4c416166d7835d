import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { ErrorCode, ProtocolError } from '../../protocol/index.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_json: 400,
  invalid_message: 400,
  unknown_task_kind: 400,
  message_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  queue_full: 429,
  not_leader: 503,
  credentials_pending: 503,
  timeout: 504,
  replication_failed: 503,
  internal: 500,
};

/** Writes a JSON body; works on Express's response and on a bare `node:http` one. */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendRestError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
): void {
  if (retryAfterMs === undefined) {
    writeJson(res, STATUS[code] ?? 400, { error: { code, message } });
    return;
  }
  res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  writeJson(res, STATUS[code] ?? 400, { error: { code, message, retryAfterMs } });
}

/** Answers a refusal as it came, with its `Retry-After` when it has one. */
export function sendProtocolError(res: ServerResponse, error: ProtocolError): void {
  sendRestError(res, error.code, error.message, error.retryAfterMs);
}

/** What body-parser, the router and the handlers throw: its fields that say which answer to give. */
export interface ThrownError {
  type?: string;
  status?: number;
  message?: string;
  length?: number;
  limit?: number;
  code?: unknown;
  /** http-errors' mark of an error meant for the client (4xx). */
  expose?: boolean;
}

/** The codes of the client errors that body-parser and the router throw, by status. */
const CLIENT_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_message',
  404: 'not_found',
  413: 'message_too_large',
  415: 'unsupported_media_type',
};

/** Answers a body-parser or unexpected error in the same `{ error: { code, message } }` shape. */
export function sendThrownError(res: ServerResponse, err: ThrownError): void {
  if (err.type === 'entity.too.large') {
    sendRestError(
      res,
      'message_too_large',
      `request body of ${err.length} bytes exceeds the limit of ${err.limit} bytes`,
    );
  } else if (err.code === 'not_leader' || err.code === 'invalid_message') {
    sendRestError(res, err.code, err.message ?? err.code);
  } else if (err.type === 'entity.parse.failed') {
    sendRestError(res, 'bad_json', `malformed JSON: ${err.message}`);
  } else if (err instanceof URIError) {
    // The router could not decode a path parameter (a malformed %-escape).
    sendRestError(res, 'invalid_message', `malformed %-escape in the path: ${err.message}`);
  } else if (err.expose === true && err.status !== undefined && CLIENT_ERROR_CODES[err.status]) {
    sendRestError(res, CLIENT_ERROR_CODES[err.status]!, err.message ?? `HTTP ${err.status}`);
  } else {
    sendRestError(res, 'internal', err.message ?? 'internal error');
  }
}

/** Express's error handler: `sendThrownError`. */
export function errorHandler(): ErrorRequestHandler {
  return (err: ThrownError, _req, res, _next) => sendThrownError(res, err);
}
