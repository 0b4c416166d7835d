import { type AuditReply, parseWith, RestAuditQuery } from '../../../protocol/index.js';
import { readAudit, verifyAudit } from '../../store/index.js';
import { sendRestError, writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

/** `GET /api/audit`: this member's entries, oldest first, with the names of the keys they cite. */
export function listAudit({ query, res }: RouteCall, { ctx, db }: RouteDeps): void {
  const parsed = parseWith(RestAuditQuery, query, 'audit query');
  if (!parsed.ok) {
    sendRestError(res, parsed.error.code, parsed.error.message);
    return;
  }
  const { since, after, limit } = parsed.message;
  const entries = readAudit(db, { since, after, limit });
  const keyNames: Record<string, string> = {};
  for (const entry of entries) {
    const key = ctx.state.keys.get(entry.key);
    if (key !== undefined) keyNames[key.id] = key.name;
  }
  const reply: AuditReply = { entries, keyNames, head: ctx.state.auditHead };
  const last = entries.at(-1);
  const paged = since !== undefined || after !== undefined;
  if (paged && entries.length === limit && last !== undefined) reply.next = last.seq;
  writeJson(res, 200, reply);
}

/** `GET /api/audit/verify`: walks this member's whole log and names the first broken entry. */
export async function verifyAuditLog({ res }: RouteCall, { ctx, db }: RouteDeps): Promise<void> {
  writeJson(res, 200, await verifyAudit(db, ctx.state.auditHead));
}
