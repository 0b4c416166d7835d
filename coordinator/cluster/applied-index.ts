import type Database from 'better-sqlite3';

/**
 * The last log index the coordinator's tables reflect. It is written in the transaction that
 * applies the entries, so after a crash the node replays exactly the entries not yet applied.
 */
export class AppliedIndex {
  private readonly read: Database.Statement;
  private readonly write: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS raft_applied (id INTEGER PRIMARY KEY CHECK (id = 1), idx INTEGER NOT NULL)',
    );
    this.read = db.prepare('SELECT idx FROM raft_applied WHERE id = 1').pluck();
    this.write = db.prepare(
      'INSERT INTO raft_applied (id, idx) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET idx = excluded.idx',
    );
  }

  get(): number {
    return (this.read.get() as number | undefined) ?? 0;
  }

  set(index: number): void {
    this.write.run(index);
  }
}
