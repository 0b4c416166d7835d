import type Database from 'better-sqlite3';

/**
 * Runs `write`, one transaction on `db`, so that its commit reaches the disk (`synchronous =
 * FULL`) before Raft acts on it: a vote or an acknowledged entry that a power loss could take
 * back breaks Raft's safety. The coordinator's other writes stay at `NORMAL` (durable against
 * a killed process); in a cluster they are rebuilt from the log and the snapshot if lost. In
 * WAL mode the fsync also covers every earlier commit. Inside an open transaction the
 * caller's commit decides, so `write` just runs.
 */
export function fsynced<T>(db: Database.Database, write: () => T): T {
  if (db.inTransaction) return write();
  db.pragma('synchronous = FULL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}
