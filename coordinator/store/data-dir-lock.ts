import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'dtf.lock';

/** Another coordinator (or `dtf run`) holds the data dir: two would overwrite each other's state. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/**
 * Holds the data dir for this coordinator alone, until `release`: an exclusive SQLite lock on
 * `dtf.lock`, which the kernel drops however the process ends (kill -9 included), so a lock is
 * never left stale. Throws a `DataDirInUseError` when another coordinator holds it.
 */
export function lockDataDir(dataDir: string): { release(): void } {
  const file = join(dataDir, LOCK_FILE);
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file, { timeout: 0 });
  try {
    // It holds no data: no journal file beside it.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    // The exclusive lock taken here is kept until the connection closes (EXCLUSIVE mode).
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataDirInUseError(
        `the data dir ${dataDir} is in use by another coordinator (a \`dtf coordinator\` or \`dtf run\` on it): stop it, or give this one another --data-dir`,
      );
    }
    throw error;
  }
  return { release: () => db.close() };
}
