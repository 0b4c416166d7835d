import type { RestWhoamiReply } from '../../../protocol/index.js';
import { writeJson } from '../errors.js';
import { type RouteCall, roleOf } from '../route.js';

/**
 * `GET /api/whoami`: the role the bearer token grants, 401 when none. A browser cannot see why
 * a WebSocket handshake failed; the worker page asks here to tell a rejected token from a
 * coordinator it cannot reach.
 */
export function whoami(call: RouteCall): void {
  const { caller } = call;
  const keyId = caller.kind === 'client' ? caller.keyId : undefined;
  const reply: RestWhoamiReply = { role: roleOf(call), ...(keyId === undefined ? {} : { keyId }) };
  writeJson(call.res, 200, reply);
}
