import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, type CoordinatorState } from '../../../../coordinator/state/index.js';
import { EventWriter, openDatabase, verifyAudit } from '../../../../coordinator/store/index.js';
import type { AuditStamp } from '../../../../protocol/index.js';
import { newState } from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const admin: AuditStamp = { key: 'admin', role: 'admin', from: '127.0.0.1' };

/** Applies `count` audited commands to `state` and writes what they did, as a batch commit does. */
function audit(db: Database.Database, state: CoordinatorState, count: number): void {
  const writer = new EventWriter(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      writer.collect(
        apply(state, { type: 'RevokeKey', now: state.clock + 1, id: 'k_missing01', audit: admin }),
      );
    }
    writer.flush();
  })();
}

describe('the stored audit log', () => {
  it('a member restored from a snapshot past its log resumes at the snapshot, and verify accepts the gap there only', async () => {
    const db = openDatabase(tempDir());
    const member = newState();
    audit(db, member, 2);
    // The leader went on to entry 5 and sent a snapshot: this member never held 3 to 5.
    const leader = newState();
    for (let i = 0; i < 5; i++) {
      apply(leader, { type: 'RevokeKey', now: i + 1, id: 'k_missing01', audit: admin });
    }
    db.transaction(() => new EventWriter(db).replaceAll(leader))();
    audit(db, leader, 2);
    expect(await verifyAudit(db, leader.auditHead)).toEqual({
      ok: true,
      entries: 4,
      head: leader.auditHead,
      from: 1,
    });
    // Without the base the snapshot recorded, the same gap is a deletion.
    db.prepare('DELETE FROM audit_bases').run();
    expect(await verifyAudit(db, leader.auditHead)).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'entries 3 to 5 are missing: they were deleted',
    });
  });

  it('a snapshot restored over the entries the member holds records no base, and appends none twice', async () => {
    const db = openDatabase(tempDir());
    const state = newState();
    audit(db, state, 3);
    db.transaction(() => new EventWriter(db).replaceAll(state))();
    expect(db.prepare('SELECT COUNT(*) FROM audit_bases').pluck().get()).toBe(0);
    // Applying an entry it holds again (a restart replays the log after the snapshot) keeps one.
    const replay = newState();
    audit(db, replay, 3);
    expect(db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(3);
    expect(await verifyAudit(db, state.auditHead)).toMatchObject({ ok: true, entries: 3 });
  });
});
