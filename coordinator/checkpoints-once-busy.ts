import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { startBackgroundCheckpoints } from './store/index.js';

/** Commands after which WAL checkpoints move to their own thread (see `startBackgroundCheckpoints`). */
const CHECKPOINT_THREAD_AFTER_COMMANDS = 1_000;

/**
 * Moves WAL checkpoints to their own thread once the coordinator has committed
 * `CHECKPOINT_THREAD_AFTER_COMMANDS` commands: the thread costs ~10 MB, which a coordinator
 * that has seen little writing goes without. `onBatch` counts each group commit's commands.
 */
export function checkpointsOnceBusy(
  db: Database.Database,
  dataDir: string,
  logger: Logger,
): { onBatch(stats: { commands: number }): void; stop(): Promise<void> } {
  let stop: (() => Promise<void>) | undefined;
  let commandsSeen = 0;
  return {
    onBatch({ commands }) {
      commandsSeen += commands;
      if (stop !== undefined || commandsSeen < CHECKPOINT_THREAD_AFTER_COMMANDS) return;
      stop = startBackgroundCheckpoints(db, dataDir, 250, (error) =>
        logger.warn(
          { error },
          'background WAL checkpoint failed; the main connection will checkpoint',
        ),
      );
    },
    stop: async () => stop?.(),
  };
}
