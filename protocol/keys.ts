import { z } from 'zod';
import { Labels } from './capabilities.js';
import { ROLES } from './roles.js';
import { TaskKind } from './task-kinds.js';

/**
 * API keys beyond the two a coordinator starts with (its admin key and worker join token): each
 * has a name, a role, and optionally an expiry; only its SHA-256 is kept, replicated to every
 * member of a cluster. A revoked key is refused at once and its connections closed; a rotated
 * one keeps working for a grace period beside its successor.
 */

/** Most keys one coordinator keeps, revoked ones included (they stay listed). */
export const MAX_KEYS = 1_000;
/** Longest grace a rotated key may keep working beside its successor. */
export const MAX_ROTATION_GRACE_MS = 30 * 24 * 3_600_000;
/** The longest a key may be made to live. */
export const MAX_KEY_LIFETIME_MS = 3_650 * 24 * 3_600_000;
/** What `rotate` gives the old key without `--grace`. */
export const DEFAULT_ROTATION_GRACE_MS = 3_600_000;

export const KeyRole = z.enum(ROLES);

export const KeyId = z
  .string()
  .regex(/^k_[A-Za-z0-9_-]{8,32}$/, 'a key id is k_ and 8 to 32 letters, digits, _ or -');

export const KeyName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/,
    'a key name is up to 64 letters, digits, spaces, ., _, @ or -, starting with a letter or digit',
  );

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A group a scoped key may submit to: its name, or a prefix and `*` (`ci-*`). */
const GroupPattern = z
  .string()
  .regex(/^[^*]{1,128}\*?$/, 'a group pattern is a name, or a prefix followed by *');

/**
 * What a key's tasks are limited to (each part that is given): their kinds, labels they must
 * ask for (so they run only on workers that have them), the groups they go to.
 */
export const KeyScopes = z
  .object({
    kinds: z.array(TaskKind).min(1).max(16).optional(),
    labels: Labels.refine(
      (labels) => Object.keys(labels).length <= 16,
      'at most 16 labels',
    ).optional(),
    groups: z.array(GroupPattern).min(1).max(16).optional(),
  })
  .strict();
export type KeyScopes = z.infer<typeof KeyScopes>;

/** A key as the coordinator keeps it: no secret, only its hash. */
export const ApiKey = z
  .object({
    id: KeyId,
    name: KeyName,
    role: KeyRole,
    sha256: Sha256Hex,
    createdAt: z.number().int().nonnegative(),
    /** Refused from then on. */
    expiresAt: z.number().int().nonnegative().optional(),
    revokedAt: z.number().int().nonnegative().optional(),
    scopes: KeyScopes.optional(),
    /** The key it replaced by a rotation, accepted too until `until`. */
    previous: z.object({ sha256: Sha256Hex, until: z.number().int().nonnegative() }).optional(),
  })
  .strict();
export type ApiKey = z.infer<typeof ApiKey>;

/** A key as it is listed: what it is and whether it works, never its hash. */
export const KeyView = ApiKey.omit({ sha256: true, previous: true }).extend({
  state: z.enum(['active', 'expired', 'revoked']),
  /** Until when the key it replaced still works. */
  previousUntil: z.number().int().optional(),
});
export type KeyView = z.infer<typeof KeyView>;

/** Whether `key` lets its holder in at `now` (its predecessor aside). */
export function keyState(
  key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>,
  now: number,
): KeyView['state'] {
  if (key.revokedAt !== undefined) return 'revoked';
  if (key.expiresAt !== undefined && key.expiresAt <= now) return 'expired';
  return 'active';
}

export function keyView(key: ApiKey, now: number): KeyView {
  const { sha256: _hash, previous, ...rest } = key;
  return {
    ...rest,
    state: keyState(key, now),
    ...(previous !== undefined && previous.until > now ? { previousUntil: previous.until } : {}),
  };
}

/** `POST /api/keys`. */
export const CreateKeyRequest = z
  .object({
    name: KeyName,
    role: KeyRole,
    /** How long it works, in ms from now. */
    expiresInMs: z.number().int().positive().max(MAX_KEY_LIFETIME_MS).optional(),
    scopes: KeyScopes.optional(),
  })
  .strict();
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;

/** The new key, shown once: only its hash is kept. */
export const CreatedKeyReply = z.object({ key: KeyView, secret: z.string() });
export type CreatedKeyReply = z.infer<typeof CreatedKeyReply>;

/** `POST /api/keys/:id/rotate`. */
export const RotateKeyRequest = z
  .object({
    /** How long the old secret keeps working beside the new one, in ms. */
    graceMs: z
      .number()
      .int()
      .nonnegative()
      .max(MAX_ROTATION_GRACE_MS)
      .default(DEFAULT_ROTATION_GRACE_MS),
  })
  .strict();
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;

export const KeysReply = z.object({ keys: z.array(KeyView) });
export type KeysReply = z.infer<typeof KeysReply>;
