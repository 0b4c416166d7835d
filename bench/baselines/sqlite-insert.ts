import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { withTempDir } from '../support/temp-dir.js';
import { measureRate } from '../support/timing.js';

export interface SqliteInsertOptions {
  rows: number;
  rowsPerTransaction: number;
  /** The text stored in each row besides its key and id, e.g. a task's spec. */
  body: string;
}

/**
 * Rows inserted per second into a fresh SQLite file in WAL mode with synchronous=NORMAL,
 * the coordinator's settings, in transactions of `rowsPerTransaction` rows.
 */
export function measureSqliteInserts(options: SqliteInsertOptions): Promise<number> {
  return withTempDir('dtf-bench-sqlite-', async (dir) => {
    const db = new Database(join(dir, 'baseline.sqlite'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE rows (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT)');
      const insert = db.prepare('INSERT INTO rows (seq, id, body) VALUES (?, ?, ?)');
      const insertBatch = db.transaction((first: number, count: number) => {
        for (let seq = first; seq < first + count; seq++) {
          insert.run(seq, randomUUID(), options.body);
        }
      });
      return await measureRate(options.rows, async () => {
        for (let first = 0; first < options.rows; first += options.rowsPerTransaction) {
          insertBatch(first, Math.min(options.rowsPerTransaction, options.rows - first));
        }
      });
    } finally {
      db.close();
    }
  });
}
