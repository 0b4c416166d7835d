import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { bearerToken, type Credentials, type Role } from '../auth/index.js';
import { sendRestError } from './errors.js';

/** What a cluster member answers (503) while the cluster has no credentials yet. */
export const CREDENTIALS_PENDING = 'cluster credentials not yet created; wait for a leader';

/**
 * Whether the request's bearer token grants one of `roles`; answers the refusal itself and
 * returns false when not. With no credentials (insecure mode) everything passes.
 */
export function authorized(
  credentials: Credentials | undefined,
  roles: readonly Role[],
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (credentials === undefined) return true;
  const role = authenticate(credentials, req, res);
  if (role === undefined) return false;
  if (!roles.includes(role)) {
    const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
    sendRestError(
      res,
      'forbidden',
      `a ${role} token may not call ${req.method} ${path.split('?')[0]}`,
    );
    return false;
  }
  return true;
}

/**
 * The role the request's bearer token grants (admin with no credentials: insecure mode);
 * answers the refusal itself and returns undefined when it grants none.
 */
export function authenticate(
  credentials: Credentials | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Role | undefined {
  if (credentials === undefined) return 'admin';
  if (!credentials.ready) {
    res.setHeader('retry-after', '1');
    sendRestError(res, 'credentials_pending', CREDENTIALS_PENDING);
    return undefined;
  }
  const token = bearerToken(req.headers.authorization);
  const role = credentials.roleOf(token);
  if (role === undefined) {
    sendRestError(
      res,
      'unauthorized',
      token ? 'invalid token' : 'missing token: send Authorization: Bearer <token>',
    );
  }
  return role;
}

/** Express middleware: requires a bearer token granting one of `roles`. */
export function requireRole(
  credentials: Credentials | undefined,
  roles: readonly Role[],
): RequestHandler {
  return (req, res, next) => {
    if (authorized(credentials, roles, req, res)) next();
  };
}

/** The role of a request that `authorized` let through: every request is admin without credentials. */
export function requestRole(credentials: Credentials | undefined, req: IncomingMessage): Role {
  if (credentials === undefined) return 'admin';
  return credentials.roleOf(bearerToken(req.headers.authorization)) ?? 'worker';
}
