import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bearerToken,
  CREDENTIALS_PENDING,
  type Credentials,
  type Grant,
  type Role,
} from '../auth/index.js';
import { sendRestError } from './errors.js';

/**
 * What the request's bearer token grants, when its role is one of `roles`; otherwise answers
 * the refusal itself and returns undefined. With no credentials (insecure mode) every request
 * is admin.
 */
export function authorized(
  credentials: Credentials | undefined,
  roles: readonly Role[],
  req: IncomingMessage,
  res: ServerResponse,
): Grant | undefined {
  if (credentials === undefined) return { role: 'admin' };
  const grant = authenticate(credentials, req, res);
  if (grant === undefined) return undefined;
  const { role } = grant;
  if (!roles.includes(role)) {
    const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
    sendRestError(
      res,
      'forbidden',
      `a ${role} token may not call ${req.method} ${path.split('?')[0]}`,
    );
    return undefined;
  }
  return grant;
}

/**
 * What the request's bearer token grants; answers the refusal itself and returns undefined when
 * it grants nothing.
 */
function authenticate(
  credentials: Credentials,
  req: IncomingMessage,
  res: ServerResponse,
): Grant | undefined {
  if (!credentials.ready) {
    res.setHeader('retry-after', '1');
    sendRestError(res, 'credentials_pending', CREDENTIALS_PENDING);
    return undefined;
  }
  const token = bearerToken(req.headers.authorization);
  const grant = credentials.grantOf(token);
  if (grant === undefined) {
    sendRestError(
      res,
      'unauthorized',
      token
        ? 'invalid token (unknown, expired or revoked)'
        : 'missing token: send Authorization: Bearer <token>',
    );
  }
  return grant;
}
