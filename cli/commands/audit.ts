import type { Command } from 'commander';
import {
  type AuditEntry,
  AuditReply,
  AuditVerifyReply,
  MAX_AUDIT_PAGE,
  OWN_ADMIN_KEY,
  parseDurationMs,
} from '../../protocol/index.js';
import { type CoordinatorAccess, coordinatorAccess, restGetChecked } from '../connection.js';
import { formatTable } from '../format/table.js';
import { positiveInteger } from '../options/integers.js';
import { printJson, printLine } from '../output.js';
import { UsageError } from '../usage-error.js';

const SINCE_HINT = 'a date (ISO 8601: 2026-12-01, 2026-12-01T08:00Z) or a time ago (30m, 12h, 7d)';

/** `--since`: a date, or a duration back from now. */
export function sinceMs(text: string, now = Date.now()): number {
  const ago = parseDurationMs(text, { zero: true });
  if (ago !== undefined) return now - ago;
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--since '${text}': expected ${SINCE_HINT}`);
  return at;
}

/** Every entry since `since`, page after page, at most `limit`. */
async function entriesSince(
  access: CoordinatorAccess,
  since: number,
  limit: number,
): Promise<AuditReply> {
  const entries: AuditEntry[] = [];
  const keyNames: Record<string, string> = {};
  let after = 0;
  for (;;) {
    const page = Math.min(MAX_AUDIT_PAGE, limit - entries.length);
    const path = `/api/audit?since=${since}&after=${after}&limit=${page}`;
    const reply = await restGetChecked(access, path, AuditReply);
    entries.push(...reply.entries);
    Object.assign(keyNames, reply.keyNames);
    if (reply.next === undefined || entries.length >= limit) return { ...reply, entries, keyNames };
    after = reply.next;
  }
}

/** Who an entry names: a managed key's name (and id), or the coordinator's own admin key. */
function who(entry: AuditEntry, keyNames: Record<string, string>): string {
  if (entry.key === OWN_ADMIN_KEY) return 'admin key';
  const name = keyNames[entry.key];
  return name === undefined ? entry.key : `${name} (${entry.key})`;
}

const instant = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function printEntries(reply: AuditReply): void {
  if (reply.entries.length === 0) {
    printLine('no audit entries');
    return;
  }
  printLine(
    formatTable([
      ['SEQ', 'TIME (UTC)', 'KEY', 'ROLE', 'FROM', 'ACTION', 'WHAT'],
      ...reply.entries.map((e) => [
        String(e.seq),
        instant(e.at),
        who(e, reply.keyNames),
        e.role,
        e.from,
        e.action,
        e.target,
      ]),
    ]),
  );
}

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('what admin and submitter keys did: who, when, from where, what (admin key only)')
    .option('--since <when>', `entries since then: ${SINCE_HINT}`)
    .option(
      '--limit <n>',
      'most entries to list (the newest, without --since)',
      positiveInteger,
      50,
    )
    .option('--json', 'print the entries as JSON')
    .action(
      async (options: { since?: string; limit: number; json?: boolean }, command: Command) => {
        const access = coordinatorAccess(command);
        const { limit } = options;
        const reply =
          options.since === undefined
            ? await restGetChecked(
                access,
                `/api/audit?limit=${Math.min(limit, MAX_AUDIT_PAGE)}`,
                AuditReply,
              )
            : await entriesSince(access, sinceMs(options.since), limit);
        if (options.json === true) printJson(reply.entries);
        else printEntries(reply);
      },
    );
  audit
    .command('verify')
    .description(
      'check every entry against its hash and the one before it; names the first entry edited or deleted',
    )
    .option('--json', 'print the outcome as JSON')
    .action(async (_options: unknown, command: Command) => {
      // `dtf audit`'s own --json takes the flag wherever it stands: read both.
      const options = command.optsWithGlobals<{ json?: boolean }>();
      const reply = await restGetChecked(
        coordinatorAccess(command),
        '/api/audit/verify',
        AuditVerifyReply,
      );
      if (!reply.ok) process.exitCode = 1;
      if (options.json === true) {
        printJson(reply);
        return;
      }
      const head = `head: entry ${reply.head.seq}, ${reply.head.hash}`;
      if (reply.ok) {
        const held =
          reply.from > 1
            ? ` (from entry ${reply.from}: this member was restored from a snapshot there)`
            : '';
        printLine(`audit log intact: ${reply.entries} entries${held}, ${head}`);
      } else {
        printLine(`audit log broken at entry ${reply.seq}: ${reply.problem}`);
      }
    });
}
