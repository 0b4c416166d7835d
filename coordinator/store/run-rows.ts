import type Database from 'better-sqlite3';
import type { QuarantineEntry, ResultInput, RunMeta, RunStatus } from '../../protocol/index.js';
import {
  type CoordinatorState,
  countResult,
  type RunRecord,
  type StateEvent,
  zeroRunCounts,
} from '../state/index.js';

type RunEvent = Extract<
  StateEvent,
  {
    type:
      | 'RunOpened'
      | 'RunResultsRecorded'
      | 'RunResultsRefused'
      | 'RunsPruned'
      | 'QuarantineChanged';
  }
>;

/**
 * The results store's rows: a run's own row is written whole whenever it changes (it is small),
 * its results only once each, appended in the order they were reported.
 */
export class RunRowWriter {
  private readonly upsertRun: Database.Statement;
  private readonly insertResult: Database.Statement;
  private readonly deleteRun: Database.Statement;
  private readonly deleteResults: Database.Statement;
  private readonly changedRuns = new Set<RunRecord>();
  /** Per run, the index of its first result not yet written. */
  private readonly unwrittenFrom = new Map<RunRecord, number>();
  private readonly pruned: string[] = [];
  private readonly upsertQuarantine: Database.Statement;
  private readonly deleteQuarantine: Database.Statement;
  /** Quarantine keys changed, each with its entry now (undefined: released). */
  private readonly quarantined = new Map<string, QuarantineEntry | undefined>();

  constructor(db: Database.Database) {
    this.upsertRun = db.prepare(
      `INSERT INTO runs (id, suite, meta, status, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at`,
    );
    this.insertResult = db.prepare(
      'INSERT INTO run_results (run_id, idx, result) VALUES (?, ?, ?)',
    );
    this.deleteRun = db.prepare('DELETE FROM runs WHERE id = ?');
    this.deleteResults = db.prepare('DELETE FROM run_results WHERE run_id = ?');
    this.upsertQuarantine = db.prepare(
      'INSERT OR REPLACE INTO quarantine (key, entry) VALUES (?, ?)',
    );
    this.deleteQuarantine = db.prepare('DELETE FROM quarantine WHERE key = ?');
  }

  collect(event: RunEvent): void {
    switch (event.type) {
      case 'RunOpened':
        this.changedRuns.add(event.run);
        this.unwrittenFrom.set(event.run, 0);
        break;
      case 'RunResultsRecorded': {
        this.changedRuns.add(event.run);
        const from = this.unwrittenFrom.get(event.run);
        if (from === undefined || event.from < from) this.unwrittenFrom.set(event.run, event.from);
        break;
      }
      case 'RunsPruned':
        for (const id of event.runIds) this.pruned.push(id);
        break;
      case 'RunResultsRefused':
        break;
      case 'QuarantineChanged':
        this.quarantined.set(event.key, event.entry);
        break;
    }
  }

  flush(): void {
    for (const run of this.changedRuns) {
      this.upsertRun.run(
        run.id,
        run.suite,
        JSON.stringify(run.meta),
        run.status,
        run.startedAt,
        run.endedAt ?? null,
      );
      const from = this.unwrittenFrom.get(run) ?? run.results.length;
      for (let i = from; i < run.results.length; i++) {
        this.insertResult.run(run.id, i, JSON.stringify(run.results[i]));
      }
    }
    // After the writes: a run opened and pruned in one batch leaves nothing behind.
    for (const id of this.pruned) {
      this.deleteResults.run(id);
      this.deleteRun.run(id);
    }
    for (const [key, entry] of this.quarantined) {
      if (entry === undefined) this.deleteQuarantine.run(key);
      else this.upsertQuarantine.run(key, JSON.stringify(entry));
    }
    this.discard();
  }

  /** Writes every run of `state` afresh (a restored snapshot); the tables must be empty. */
  addAll(state: CoordinatorState): void {
    for (const run of state.runs.values()) {
      this.changedRuns.add(run);
      this.unwrittenFrom.set(run, 0);
    }
    for (const [key, entry] of state.quarantine) this.quarantined.set(key, entry);
  }

  discard(): void {
    this.changedRuns.clear();
    this.unwrittenFrom.clear();
    this.pruned.length = 0;
    this.quarantined.clear();
  }
}

interface RunRow {
  id: string;
  suite: string;
  meta: string;
  status: RunStatus;
  started_at: number;
  ended_at: number | null;
}

/** Reads the results store into `state.runs`, in the order the runs were opened. */
export function loadRuns(db: Database.Database, state: CoordinatorState): void {
  const results = db
    .prepare('SELECT result FROM run_results WHERE run_id = ? ORDER BY idx')
    .pluck();
  const rows = db.prepare('SELECT * FROM runs ORDER BY rowid').iterate() as Iterable<RunRow>;
  for (const row of rows) {
    const run: RunRecord = {
      id: row.id,
      suite: row.suite,
      meta: JSON.parse(row.meta) as RunMeta,
      status: row.status,
      startedAt: row.started_at,
      counts: zeroRunCounts(),
      results: [],
    };
    if (row.ended_at !== null) run.endedAt = row.ended_at;
    for (const text of results.iterate(row.id) as Iterable<string>) {
      const result = JSON.parse(text) as ResultInput;
      run.results.push(result);
      countResult(run.counts, result);
    }
    state.runs.set(run.id, run);
  }
  const entries = db.prepare('SELECT key, entry FROM quarantine').iterate() as Iterable<{
    key: string;
    entry: string;
  }>;
  for (const { key, entry } of entries) {
    state.quarantine.set(key, JSON.parse(entry) as QuarantineEntry);
  }
}
