import type { InboundMessage } from './messages.js';

/**
 * Deepest nesting of objects and arrays any message may have. The deepest schema needs 8 (a
 * result's tensor data); anything deeper is refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Different object key names one message to the coordinator may use. The schemas name a few
 * dozen; labels, env and tensor names add the rest. Fresh names are what makes `JSON.parse`
 * slow (8 MB of them take it seconds), so they are counted before it runs.
 */
export const MAX_DISTINCT_KEYS = 4_096;

const KIB = 1024;

/**
 * Characters of JSON text one message of each type may have on `/ws`, checked before it is
 * parsed; `undefined`: only the coordinator's `--max-message-bytes` (8 MiB by default) applies.
 * Small messages stay small, so a stray megabyte under a small type is refused from its size
 * alone. `submit` and `result` may fill the whole limit (tensor data, test reports): with the
 * depth and key bounds, parsing and validating the largest takes a few hundred ms of one core,
 * and the time a coordinator is stalled is not charged to its workers' heartbeats.
 */
export const MAX_MESSAGE_LENGTHS = {
  heartbeat: 1 * KIB,
  draining: 1 * KIB,
  // A message of 4,096 characters, each possibly a 6-character escape.
  progress: 32 * KIB,
  // Capabilities (a few KB) and up to ~25,000 in-flight leases: a worker holds at most its
  // slots (≤ 1,024) and the results not yet acknowledged.
  register: 2 * KIB * KIB,
  release: 2 * KIB * KIB,
  result: undefined,
  submit: undefined,
  // Up to 10,000 task ids.
  cancel: 1 * KIB * KIB,
  retarget: 1 * KIB * KIB,
  subscribe: 1 * KIB * KIB,
  query: 1 * KIB * KIB,
  unsubscribe: 1 * KIB,
  'watch-dashboard': 1 * KIB,
} as const satisfies { readonly [T in InboundMessage['type']]: number | undefined };
