export {
  ArtifactRefused,
  ArtifactStore,
  artifactHexOf,
  isArtifactHex,
  type StagedArtifact,
  type StoredArtifact,
} from './artifact-store.js';
export { type AuditQuery, readAudit, verifyAudit } from './audit-rows.js';
export { startBackgroundCheckpoints } from './checkpointer.js';
export { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';
export type { CommandSink, GroupCommitOptions } from './group-commit.js';
export { GroupCommit } from './group-commit.js';
export { loadState } from './load-state.js';
export { makeDataDirPrivate } from './private-data-dir.js';
export { DB_FILE, EventWriter, openDatabase } from './sqlite-store.js';
