import type Database from 'better-sqlite3';
import { SqliteStorage } from '../raft-io/index.js';
import type { CoordinatorState, StateConfig } from '../state/index.js';
import { EventWriter } from '../store/index.js';
import { AppliedIndex } from './applied-index.js';
import { decodeStateSnapshot } from './state-snapshot.js';

/** Makes the tables hold `state` and the applied index say `index`; call in a transaction. */
export function writeAppliedState(
  db: Database.Database,
  state: CoordinatorState,
  index: number,
): void {
  new EventWriter(db).replaceAll(state);
  new AppliedIndex(db).set(index);
}

/**
 * In a cluster the log, from its latest snapshot on, is the truth, and the task and worker
 * tables only its cache. A member that starts takes its state from that snapshot, not from its
 * tables: they lack what the state machine keeps only in memory (worker health, drain flags,
 * fair-share clocks, queue order), and loading them would bring back a single coordinator's
 * restart adjustments (workers back as disconnected), local changes that no other member makes.
 * Tables and applied index are set back to the snapshot's, and the entries after it are
 * applied again; with no snapshot yet, that is the whole log.
 */
export function restoreAppliedState(db: Database.Database, config: StateConfig) {
  const { meta, data } = new SqliteStorage(db).snapshot();
  const state = decodeStateSnapshot(data, config);
  db.transaction(() => writeAppliedState(db, state, meta.index))();
  return { state, index: meta.index };
}
