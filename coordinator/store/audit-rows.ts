import type Database from 'better-sqlite3';
import {
  type AuditEntry,
  type AuditHead,
  type AuditVerifyReply,
  GENESIS_HASH,
} from '../../protocol/index.js';
import { auditHash, type CoordinatorState, type StateEvent } from '../state/index.js';

/** Appends the audit entries a batch chained, and records the newest as the head. */
export class AuditRowWriter {
  private readonly insert: Database.Statement;
  private readonly upsertHead: Database.Statement;
  private readonly upsertBase: Database.Statement;
  private readonly rowAt: Database.Statement;
  private readonly entries: AuditEntry[] = [];
  private base: AuditHead | undefined;

  constructor(db: Database.Database) {
    // A cluster member that starts applies its log again from its snapshot: the entries it
    // chains anew are the ones it holds (the chain is deterministic), and the stored copy stays,
    // so a stored entry changed since is still found by verify, not mended.
    this.insert = db.prepare('INSERT OR IGNORE INTO audit_log (seq, at, entry) VALUES (?, ?, ?)');
    this.upsertHead = db.prepare(
      `INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?)
       ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
    );
    this.upsertBase = db.prepare('INSERT OR REPLACE INTO audit_bases (seq, hash) VALUES (?, ?)');
    this.rowAt = db.prepare('SELECT entry FROM audit_log WHERE seq = ?').pluck();
  }

  collect(event: Extract<StateEvent, { type: 'Audited' }>): void {
    this.entries.push(event.entry);
  }

  flush(): void {
    for (const entry of this.entries) this.insert.run(entry.seq, entry.at, JSON.stringify(entry));
    const last = this.entries.at(-1) ?? this.base;
    if (this.base !== undefined) this.upsertBase.run(this.base.seq, this.base.hash);
    if (last !== undefined) this.upsertHead.run(last.seq, last.hash);
    this.discard();
  }

  /**
   * A snapshot replaced the state. The log is never dropped: the entries this member holds
   * stay, and where the snapshot's head is not one of them (the member missed entries the
   * snapshot covers), the head is recorded as a base the next entry chains to.
   */
  resumeAt(state: CoordinatorState): void {
    const head = state.auditHead;
    if (head.seq === 0) return;
    const text = this.rowAt.get(head.seq) as string | undefined;
    if (text !== undefined && (JSON.parse(text) as AuditEntry).hash === head.hash) return;
    this.base = head;
  }

  discard(): void {
    this.entries.length = 0;
    this.base = undefined;
  }
}

/** The head as last written: what the next entry chains to. */
export function loadAuditHead(db: Database.Database, state: CoordinatorState): void {
  const head = db.prepare('SELECT seq, hash FROM audit_head').get() as AuditHead | undefined;
  if (head !== undefined) state.auditHead = { seq: head.seq, hash: head.hash };
}

export interface AuditQuery {
  /** Entries at or after this time (ms). */
  since?: number | undefined;
  /** Entries after this sequence number (paging). */
  after?: number | undefined;
  /** Only the newest this many (when neither bound is given). */
  limit: number;
}

/** Entries in the order they were appended, `limit` at most. */
export function readAudit(db: Database.Database, query: AuditQuery): AuditEntry[] {
  const rows =
    query.since === undefined && query.after === undefined
      ? (
          db
            .prepare('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT ?')
            .pluck()
            .all(query.limit) as string[]
        ).reverse()
      : (db
          .prepare('SELECT entry FROM audit_log WHERE at >= ? AND seq > ? ORDER BY seq LIMIT ?')
          .pluck()
          .all(query.since ?? 0, query.after ?? 0, query.limit) as string[]);
  return rows.map((text) => JSON.parse(text) as AuditEntry);
}

const VERIFY_PAGE_ROWS = 2_000;

interface Broken {
  seq: number;
  problem: string;
}

/**
 * Walks the whole log, a page at a time (yielding between pages, so a long log does not hold
 * the event loop), and checks every entry's hash and link to the one before; the newest must
 * be `head`, the state's. Names the first entry that fails.
 */
export async function verifyAudit(
  db: Database.Database,
  head: AuditHead,
): Promise<AuditVerifyReply> {
  const bases = new Map(
    (db.prepare('SELECT seq, hash FROM audit_bases').all() as AuditHead[]).map((b) => [
      b.seq,
      b.hash,
    ]),
  );
  const page = db.prepare('SELECT seq, entry FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?');
  let last: AuditHead | undefined;
  let from = 0;
  let entries = 0;
  const fail = (broken: Broken): AuditVerifyReply => ({ ok: false, entries, head, ...broken });
  for (;;) {
    const rows = page.all(last?.seq ?? 0, VERIFY_PAGE_ROWS) as Array<{
      seq: number;
      entry: string;
    }>;
    for (const row of rows) {
      const checked = checkEntry(row, last, bases);
      if ('problem' in checked) return fail(checked);
      if (from === 0) from = row.seq;
      last = { seq: row.seq, hash: checked.hash };
      entries++;
    }
    if (rows.length < VERIFY_PAGE_ROWS) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const newest = last ?? { seq: 0, hash: GENESIS_HASH };
  if (newest.seq < head.seq) {
    return fail({
      seq: newest.seq + 1,
      problem: `entries ${newest.seq + 1} to ${head.seq} are missing: the log ends at ${newest.seq}, its head is ${head.seq}`,
    });
  }
  if (newest.seq !== head.seq || newest.hash !== head.hash) {
    return fail({
      seq: newest.seq,
      problem: `entry ${newest.seq} is not the head the coordinator holds (entry ${head.seq}, ${head.hash.slice(0, 12)}…)`,
    });
  }
  return { ok: true, entries, head, from: from || 1 };
}

/** The entry as stored, once its hash and its link hold; what is wrong with it otherwise. */
function checkEntry(
  row: { seq: number; entry: string },
  before: AuditHead | undefined,
  bases: ReadonlyMap<number, string>,
): Broken | AuditEntry {
  let entry: AuditEntry;
  try {
    entry = JSON.parse(row.entry) as AuditEntry;
  } catch {
    return { seq: row.seq, problem: `entry ${row.seq} is not valid JSON: it was edited` };
  }
  if (entry.seq !== row.seq) {
    return {
      seq: row.seq,
      problem: `entry ${row.seq} says it is entry ${entry.seq}: it was edited`,
    };
  }
  if (auditHash(entry.prev, entry) !== entry.hash) {
    return { seq: row.seq, problem: `entry ${row.seq} does not match its hash: it was edited` };
  }
  const expected =
    before !== undefined && before.seq === row.seq - 1
      ? before.hash
      : row.seq === 1
        ? GENESIS_HASH
        : bases.get(row.seq - 1);
  if (expected === undefined) {
    const gap = (before?.seq ?? 0) + 1;
    return {
      seq: gap,
      problem: `entries ${gap} to ${row.seq - 1} are missing: they were deleted`,
    };
  }
  if (entry.prev !== expected) {
    const edited = row.seq - 1;
    return {
      seq: edited,
      problem: `entry ${edited} was rewritten (its hash recomputed): entry ${row.seq} chains to the hash it had before`,
    };
  }
  return entry;
}
