import type { RequestHandler } from 'express';
import { bearerToken, type Credentials, type Role } from '../auth/index.js';
import { sendRestError } from './errors.js';

/** Requires a bearer token granting one of `roles`; with no credentials (insecure mode) all pass. */
export function requireRole(
  credentials: Credentials | undefined,
  roles: readonly Role[],
): RequestHandler {
  return (req, res, next) => {
    if (credentials === undefined) {
      next();
      return;
    }
    const token = bearerToken(req.headers.authorization);
    const role = credentials.roleOf(token);
    if (role === undefined) {
      sendRestError(
        res,
        'unauthorized',
        token ? 'invalid token' : 'missing token: send Authorization: Bearer <token>',
      );
    } else if (!roles.includes(role)) {
      sendRestError(
        res,
        'forbidden',
        `a ${role} token may not call ${req.method} ${req.baseUrl}${req.path}`,
      );
    } else {
      next();
    }
  };
}
