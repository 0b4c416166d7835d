import { z } from 'zod';
import { queryWholeNumber } from './rest.js';
import { ROLES } from './roles.js';

/**
 * The audit log: every change an admin or submitter key makes (submits, cancels, retargets,
 * drains, keys, webhooks, quarantine, runs, leadership), one entry each, with who, when, from
 * where and what. Entries are hash-chained: each holds the SHA-256 of the one before, so an
 * entry edited or deleted in the store breaks the chain at that entry.
 */

/** Who made a change, as the edge that took the request saw them. */
export const AuditStamp = z.object({
  /** A managed key's id, or `admin` for the coordinator's own admin key. */
  key: z.string().min(1).max(64),
  role: z.enum(ROLES),
  /** The peer address of the request's connection (not a forwarded header: that is anyone's). */
  from: z.string().max(64),
});
export type AuditStamp = z.infer<typeof AuditStamp>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** What the hash covers, in this order. */
export const AuditRecord = AuditStamp.extend({
  seq: z.number().int().positive(),
  at: z.number(),
  /** `submit`, `cancel`, `key.create`, …: the command's short name. */
  action: z.string(),
  /** What it acted on and how it ended, in words (bounded). */
  target: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditEntry = AuditRecord.extend({
  /** The hash of the entry before (64 zeros for the first). */
  prev: Sha256Hex,
  /** SHA-256 (hex) of `prev` and this entry's record. */
  hash: Sha256Hex,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The newest entry's sequence number and hash: what the next entry chains to. */
export const AuditHead = z.object({ seq: z.number().int().nonnegative(), hash: Sha256Hex });
export type AuditHead = z.infer<typeof AuditHead>;

export const GENESIS_HASH = '0'.repeat(64);
/**
 * Who the coordinator's own admin key is where a key is named by id: in an audit entry's `key`,
 * and among the owners the queue bounds count (a managed key's id starts `k_`, never this).
 */
export const OWN_ADMIN_KEY = 'admin';
/** Most entries one `GET /api/audit` answers; page on with `after`. */
export const MAX_AUDIT_PAGE = 1_000;
export const MAX_AUDIT_TARGET_CHARS = 300;

/** `GET /api/audit`: entries from a time, or after a sequence number (paging), else the newest. */
export const RestAuditQuery = z.object({
  since: queryWholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  after: queryWholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryWholeNumber(1, MAX_AUDIT_PAGE).default(100),
});
export type RestAuditQuery = z.infer<typeof RestAuditQuery>;

export const AuditReply = z.object({
  entries: z.array(AuditEntry),
  /** The key names by id at the time of the answer, so entries read as names. */
  keyNames: z.record(z.string(), z.string()),
  head: AuditHead,
  /** Set when more entries follow: ask again with `after` set to it. */
  next: z.number().int().optional(),
});
export type AuditReply = z.infer<typeof AuditReply>;

export const AuditVerifyReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    entries: z.number().int(),
    head: AuditHead,
    /** The first entry this member holds (a member restored from a snapshot starts later). */
    from: z.number().int(),
  }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int(),
    head: AuditHead,
    /** The entry whose check failed (for a deletion, the first entry missing). */
    seq: z.number().int(),
    problem: z.string(),
  }),
]);
export type AuditVerifyReply = z.infer<typeof AuditVerifyReply>;
