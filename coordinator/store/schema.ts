/** Migrations, applied in order; `PRAGMA user_version` records how many have run. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    lease_token INTEGER NOT NULL,
    worker_id TEXT,
    submitted_at INTEGER NOT NULL,
    assigned_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    result TEXT,
    history TEXT NOT NULL
  );
  CREATE INDEX tasks_live ON tasks (state) WHERE state IN ('queued', 'assigned', 'running');
  CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    labels TEXT NOT NULL,
    slots INTEGER NOT NULL,
    status TEXT NOT NULL,
    registered_at INTEGER NOT NULL
  );
  CREATE TABLE credentials (
    role TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Every row is read into memory at start, so no query used this index; it only cost writes.
  `
  DROP INDEX IF EXISTS tasks_live;
  `,
  // Retry policies: failures charged to the retries, and the end of a retry's backoff.
  `
  ALTER TABLE tasks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tasks ADD COLUMN not_before INTEGER;
  `,
  // Each worker's own secret, as a SHA-256 hash; workers recorded before have none.
  `
  ALTER TABLE workers ADD COLUMN secret_sha256 TEXT;
  `,
  // Retargeting: `spec` holds the requirements it has now, this the ones it was submitted with.
  `
  ALTER TABLE tasks ADD COLUMN submitted_requirements TEXT;
  `,
  // The results store: runs (rowid keeps the order they were opened in) and their results.
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    meta TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
  );
  CREATE TABLE run_results (
    run_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  `,
  // Quarantined tests, by their key (test, browser, backend).
  `
  CREATE TABLE quarantine (key TEXT PRIMARY KEY, entry TEXT NOT NULL);
  `,
  // Webhooks, and their deliveries in the order they were queued (rowid).
  `
  CREATE TABLE webhooks (id TEXT PRIMARY KEY, webhook TEXT NOT NULL);
  CREATE TABLE deliveries (id TEXT NOT NULL UNIQUE, delivery TEXT NOT NULL);
  `,
  // API keys (their hashes only), in the order they were created (rowid).
  `
  CREATE TABLE api_keys (id TEXT NOT NULL UNIQUE, key TEXT NOT NULL);
  `,
  // The managed key that submitted each task.
  `
  ALTER TABLE tasks ADD COLUMN owner TEXT;
  `,
  // The audit log, its newest entry's hash, and where a member restored from a snapshot resumed it.
  `
  CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, entry TEXT NOT NULL);
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE TABLE audit_head (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
  CREATE TABLE audit_bases (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL);
  `,
];
