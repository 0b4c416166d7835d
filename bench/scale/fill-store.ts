import type Database from 'better-sqlite3';
import { type Command, type CoordinatorState, createState } from '../../coordinator/state/index.js';
import { GroupCommit, openDatabase } from '../../coordinator/store/index.js';
import { newTaskId } from '../../coordinator/task-ids.js';
import { probeCapabilities } from '../../node-worker/index.js';
import { TaskSpec } from '../../protocol/index.js';

export const STATE_CONFIG = { heartbeatIntervalMs: 1000, heartbeatMisses: 3 };
/** Tasks fall into this many requirement classes (worker pools), as in a mixed real queue. */
export const POOLS = 10;

/**
 * Writes `tasks` queued tasks (spread over priorities and pools) and `workers` worker records
 * into a coordinator database, through the coordinator's own apply + group commit.
 */
export async function fillStore(dataDir: string, tasks: number, workers: number): Promise<void> {
  const db: Database.Database = openDatabase(dataDir);
  const state: CoordinatorState = createState(STATE_CONFIG);
  const commit = new GroupCommit(db, state, {
    followUp: () => undefined,
    onCommitted: () => {},
    onFatal: (error) => {
      throw error;
    },
  });
  const capabilities = await probeCapabilities();
  for (let i = 0; i < workers; i++) {
    await commit.submitAndWait(registerCommand(`worker-${i}`, i, capabilities));
  }
  const specs = Array.from({ length: POOLS * 5 }, (_, i) =>
    TaskSpec.parse({
      kind: 'command',
      payload: { command: 'true' },
      priority: i % 5,
      requirements: { labels: { pool: `p${Math.floor(i / 5)}` } },
    }),
  );
  const perCommand = 10_000;
  for (let done = 0; done < tasks; done += perCommand) {
    const count = Math.min(perCommand, tasks - done);
    const batch = Array.from({ length: count }, (_, i) => ({
      id: newTaskId(),
      spec: specs[(done + i) % specs.length]!,
    }));
    await commit.submitAndWait({ type: 'SubmitTasks', now: Date.now(), tasks: batch });
  }
  commit.close();
  db.close();
}

export function registerCommand(
  workerId: string,
  index: number,
  capabilities: Awaited<ReturnType<typeof probeCapabilities>>,
): Command {
  return {
    type: 'RegisterWorker',
    now: Date.now(),
    workerId,
    name: workerId,
    capabilities,
    labels: { pool: `p${index % POOLS}` },
    slots: 1,
    inFlight: [],
  };
}
