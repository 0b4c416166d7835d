import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIALS_FILE } from '../auth/index.js';
import { ARTIFACTS_DIR } from './artifact-store.js';
import { LOCK_FILE } from './data-dir-lock.js';
import { DB_FILE } from './sqlite-store.js';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Sets `mode` on `path` if others (group or world) may use it; true if it did. */
function tighten(path: string, mode: number): boolean {
  let current: number;
  try {
    current = statSync(path).mode;
  } catch {
    return false; // not there (yet)
  }
  if ((current & 0o077) === 0) return false;
  chmodSync(path, mode);
  return true;
}

/**
 * The data dir holds task specs (with their `env`), outputs, artifacts and the credentials:
 * only its owner may read any of it. Creates it 0700, or tightens one an older version left
 * readable by others (the dir and its artifacts dir to 0700, the database, its -wal and -shm,
 * the credentials and every artifact to 0600). Returns the paths it tightened.
 */
export function makeDataDirPrivate(dataDir: string): string[] {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
  const artifacts = join(dataDir, ARTIFACTS_DIR);
  const files = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, CREDENTIALS_FILE, LOCK_FILE].map(
    (name) => join(dataDir, name),
  );
  let artifactFiles: string[] = [];
  try {
    artifactFiles = readdirSync(artifacts).map((name) => join(artifacts, name));
  } catch {
    // no artifacts yet
  }
  return [
    ...[dataDir, artifacts].filter((dir) => tighten(dir, PRIVATE_DIR)),
    ...[...files, ...artifactFiles].filter((file) => tighten(file, PRIVATE_FILE)),
  ];
}
