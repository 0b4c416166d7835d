import { Router } from 'express';
import type { RestWhoamiReply } from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import { requestRole, requireRole } from '../auth.js';

/**
 * `GET /api/whoami`: the role the bearer token grants, 401 when none. A browser cannot see why
 * a WebSocket handshake failed; the worker page asks here to tell a rejected token from a
 * coordinator it cannot reach.
 */
export function whoamiRoutes(credentials: Credentials | undefined): Router {
  const router = Router();
  router.get('/whoami', requireRole(credentials, ['admin', 'worker']), (_req, res) => {
    const reply: RestWhoamiReply = { role: requestRole(res) };
    res.json(reply);
  });
  return router;
}
