/**
 * When to give a connection up and when to try again: shared by the client, the workers, the
 * browser page and Raft's peer links.
 */
export { Backoff, type BackoffOptions } from './backoff.js';
export { type Pingable, type PingWatchOptions, watchPings } from './ping-watch.js';
