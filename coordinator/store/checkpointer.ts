import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { DB_FILE } from './sqlite-store.js';

/** Pages of WAL after which the main connection checkpoints by itself, should the thread lag. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

/**
 * Moves WAL checkpoints off the event loop: a worker thread checkpoints every `intervalMs`, and
 * the main connection's own automatic checkpoint only triggers far later, as a safety net.
 * Returns a function that stops the thread.
 */
export function startBackgroundCheckpoints(
  db: Database.Database,
  dataDir: string,
  intervalMs: number,
  onError: (message: string) => void,
): () => Promise<void> {
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { file: join(dataDir, DB_FILE), intervalMs },
  });
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) onError(message.error);
  });
  worker.on('error', (error) => onError(error.message));
  worker.unref();
  return async () => {
    // Unreferenced, the thread would not keep the process alive long enough to see it exit.
    worker.ref();
    worker.postMessage('stop');
    await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  };
}
