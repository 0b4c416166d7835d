import { randomBytes } from 'node:crypto';
import {
  type ApiKey,
  type CreatedKeyReply,
  CreateKeyRequest,
  type KeysReply,
  keyView,
  MAX_KEYS,
  parseWith,
  type Role,
  RotateKeyRequest,
} from '../../../protocol/index.js';
import { sha256 } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

/** A new secret: its role in the clear (to tell keys apart in a config), 32 random bytes. */
const newSecret = (role: Role) => `dtf_${role}_${randomBytes(32).toString('base64url')}`;
const hashOf = (secret: string) => sha256(secret).toString('hex');

export function listKeys({ res }: RouteCall, { ctx }: RouteDeps): void {
  const now = ctx.now();
  const reply: KeysReply = { keys: [...ctx.state.keys.values()].map((key) => keyView(key, now)) };
  writeJson(res, 200, reply);
}

export function createKey(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(CreateKeyRequest, call.body, 'key');
  if (!parsed.ok) {
    sendRestError(call.res, parsed.error.code, parsed.error.message);
    return;
  }
  const tooMany = `at most ${MAX_KEYS} keys, revoked ones included`;
  if (ctx.state.keys.size >= MAX_KEYS) {
    sendRestError(call.res, 'conflict', tooMany);
    return;
  }
  const { name, role, expiresInMs, scopes } = parsed.message;
  const now = ctx.now();
  const secret = newSecret(role);
  const key: ApiKey = {
    id: `k_${randomBytes(9).toString('base64url')}`,
    name,
    role,
    sha256: hashOf(secret),
    createdAt: now,
    ...(expiresInMs === undefined ? {} : { expiresAt: now + expiresInMs }),
    ...(scopes === undefined ? {} : { scopes }),
  };
  ctx.commit.submit(
    { type: 'CreateKey', now, key, ...auditedCall(call) },
    () => {
      if (!ctx.state.keys.has(key.id)) return sendRestError(call.res, 'conflict', tooMany);
      const reply: CreatedKeyReply = { key: keyView(key, now), secret };
      writeJson(call.res, 201, reply);
    },
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

function known(call: RouteCall, ctx: CoordinatorContext): ApiKey | undefined {
  const id = call.params.id ?? '';
  const key = ctx.state.keys.get(id);
  if (key === undefined) sendRestError(call.res, 'not_found', `no key '${id.slice(0, 64)}'`);
  return key;
}

/** Refused from the moment it is applied, on every member; its open connections are closed. */
export function revokeKey(call: RouteCall, { ctx }: RouteDeps): void {
  const key = known(call, ctx);
  if (key === undefined) return;
  const now = ctx.now();
  ctx.commit.submit(
    { type: 'RevokeKey', now, id: key.id, ...auditedCall(call) },
    () => writeJson(call.res, 200, { key: keyView(ctx.state.keys.get(key.id)!, ctx.now()) }),
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

/** A new secret for the key; the old one keeps working for the grace asked. */
export function rotateKey(call: RouteCall, { ctx }: RouteDeps): void {
  const key = known(call, ctx);
  if (key === undefined) return;
  const parsed = parseWith(RotateKeyRequest, call.body, 'rotation');
  if (!parsed.ok) {
    sendRestError(call.res, parsed.error.code, parsed.error.message);
    return;
  }
  if (key.revokedAt !== undefined) {
    sendRestError(call.res, 'conflict', `key '${key.name}' is revoked: create a new one`);
    return;
  }
  const now = ctx.now();
  const secret = newSecret(key.role);
  ctx.commit.submit(
    {
      type: 'RotateKey',
      now,
      id: key.id,
      sha256: hashOf(secret),
      graceUntil: now + parsed.message.graceMs,
      ...auditedCall(call),
    },
    () => {
      const reply: CreatedKeyReply = { key: keyView(ctx.state.keys.get(key.id)!, now), secret };
      writeJson(call.res, 200, reply);
    },
    (error) => sendRestError(call.res, error.code, error.message),
  );
}
