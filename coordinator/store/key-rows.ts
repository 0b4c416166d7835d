import type Database from 'better-sqlite3';
import type { ApiKey } from '../../protocol/index.js';
import type { CoordinatorState, StateEvent } from '../state/index.js';

/** API keys, each row written whole as it changes; a key keeps the rowid it was created with. */
export class KeyRowWriter {
  private readonly upsert: Database.Statement;
  /** Changed keys by id, each as it is now, in the order they changed. */
  private readonly changed = new Map<string, ApiKey>();

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO api_keys (id, key) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET key = excluded.key`,
    );
  }

  collect(event: Extract<StateEvent, { type: 'KeyChanged' }>): void {
    this.changed.set(event.key.id, event.key);
  }

  flush(): void {
    for (const [id, key] of this.changed) this.upsert.run(id, JSON.stringify(key));
    this.discard();
  }

  /** Writes every key of `state` afresh (a restored snapshot). */
  addAll(state: CoordinatorState): void {
    for (const [id, key] of state.keys) this.changed.set(id, key);
  }

  discard(): void {
    this.changed.clear();
  }
}

/** Reads the keys into the state, in the order they were created. */
export function loadKeys(db: Database.Database, state: CoordinatorState): void {
  for (const text of db.prepare('SELECT key FROM api_keys ORDER BY rowid').pluck().iterate()) {
    const key = JSON.parse(text as string) as ApiKey;
    state.keys.set(key.id, key);
  }
}
