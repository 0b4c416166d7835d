import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, CREDENTIALS_PENDING, type Credentials, type Role } from '../auth/index.js';
import { sendRestError } from './errors.js';

/**
 * The role the request's bearer token grants, when it is one of `roles`; otherwise answers
 * the refusal itself and returns undefined. With no credentials (insecure mode) every request
 * is admin.
 */
export function authorized(
  credentials: Credentials | undefined,
  roles: readonly Role[],
  req: IncomingMessage,
  res: ServerResponse,
): Role | undefined {
  if (credentials === undefined) return 'admin';
  const role = authenticate(credentials, req, res);
  if (role === undefined) return undefined;
  if (!roles.includes(role)) {
    const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
    sendRestError(
      res,
      'forbidden',
      `a ${role} token may not call ${req.method} ${path.split('?')[0]}`,
    );
    return undefined;
  }
  return role;
}

/**
 * The role the request's bearer token grants (admin with no credentials: insecure mode);
 * answers the refusal itself and returns undefined when it grants none.
 */
function authenticate(
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
