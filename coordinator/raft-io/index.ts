/**
 * Raft's I/O: the peer streams between members (WebSocket on `/raft`) and the durable storage
 * of the log, the hard state and the snapshot (SQLite). The core in `../raft/` does none.
 */
export { fsynced } from './fsynced.js';
export { PeerTransport } from './peer-transport.js';
export { SqliteStorage } from './sqlite-storage.js';
