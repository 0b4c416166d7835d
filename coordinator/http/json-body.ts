import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import {
  MAX_DISTINCT_KEYS,
  MAX_JSON_DEPTH,
  MAX_MESSAGE_LENGTHS,
  parseBoundedJson,
  ROLES,
  shorten,
} from '../../protocol/index.js';
import type { Role } from '../auth/index.js';
import { sendRestError, type ThrownError } from './errors.js';

type BodyRequest = IncomingMessage & { body?: unknown };
type Next = (error?: ThrownError) => void;

/**
 * Reads a JSON body into `req.body` for a sender already authenticated as `role`, then calls
 * `next` (with the error to answer, if any); a refusal it answers itself.
 */
export type BodyReader = (req: BodyRequest, res: ServerResponse, role: Role, next: Next) => void;

/**
 * The longest REST body of each sender: a worker's bodies (registration, status) and a viewer's
 * are no larger than a `register` message; an admin's or a submitter's may fill the message
 * limit, as a `submit`.
 */
function maxBodyBytes(role: Role, maxBytes: number): number {
  return role === 'worker' || role === 'viewer'
    ? Math.min(maxBytes, MAX_MESSAGE_LENGTHS.register)
    : maxBytes;
}

/**
 * Reads a JSON body into `req.body` for a sender already authenticated as `role`: UTF-8 only
 * (415 otherwise), at most `maxBytes` (a worker token's: less), then parsed with its nesting
 * and key count checked before `JSON.parse` runs. A request whose
 * `Content-Type` is not JSON goes on unread; an empty body reads as `{}`.
 */
export function jsonBodyReader(maxBytes: number): BodyReader {
  const readers = new Map<Role, ReturnType<typeof express.text>>(
    ROLES.map((role) => [
      role,
      express.text({ type: 'application/json', limit: maxBodyBytes(role, maxBytes) }),
    ]),
  );
  return (req: BodyRequest, res: ServerResponse, role: Role, next: Next): void => {
    const { mediaType, charset } = contentType(req.headers['content-type']);
    if (mediaType !== 'application/json') {
      next();
      return;
    }
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      sendRestError(
        res,
        'unsupported_media_type',
        `charset '${shorten(charset)}' is not supported: send JSON in UTF-8 (Content-Type: application/json; charset=utf-8)`,
      );
      return;
    }
    readers.get(role)!(req as express.Request, res as express.Response, (error?: unknown) => {
      if (error !== undefined) {
        next(error as ThrownError);
        return;
      }
      if (typeof req.body !== 'string') {
        next();
        return;
      }
      if (req.body === '') {
        req.body = {};
        next();
        return;
      }
      const parsed = parseBoundedJson(req.body, {
        maxDepth: MAX_JSON_DEPTH,
        maxDistinctKeys: MAX_DISTINCT_KEYS,
      });
      if (!parsed.ok) {
        sendRestError(res, parsed.error.code, `request body: ${parsed.error.message}`);
        return;
      }
      req.body = parsed.value;
      next();
    });
  };
}

interface ContentType {
  mediaType: string;
  charset?: string;
}

/** The media type and charset of a `Content-Type` header, both lower case. */
function contentType(header: string | undefined): ContentType {
  if (header === undefined) return { mediaType: '' };
  const [mediaType = '', ...parameters] = header.split(';');
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      return {
        mediaType: mediaType.trim().toLowerCase(),
        charset: value.trim().replace(/^"|"$/g, '').toLowerCase(),
      };
    }
  }
  return { mediaType: mediaType.trim().toLowerCase() };
}
