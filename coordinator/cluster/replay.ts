import type Database from 'better-sqlite3';
import { AppliedIndex } from './applied-index.js';

/**
 * In a cluster the log is the truth and the task and worker tables only its cache. A member
 * that starts forgets them (and the credentials' hashes, also set by the log) and applies its log again from the first entry, so its state equals
 * the other members' entry for entry: loading the tables would bring back a single
 * coordinator's restart adjustments (workers back as disconnected, health reset), local changes
 * that no other member makes, and later entries would then apply differently. Until snapshots
 * exist, a start replays the whole log.
 */
export function forgetAppliedState(db: Database.Database): void {
  db.transaction(() => {
    db.exec('DELETE FROM tasks; DELETE FROM workers; DELETE FROM credentials;');
    new AppliedIndex(db).set(0);
  })();
}
