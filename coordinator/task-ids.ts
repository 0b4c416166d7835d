import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): the millisecond time first, then randomness. Ids made close in time sort
 * close together, so the database's id index grows at its end instead of being written all over
 * (with random v4 ids, inserts slowed as the table grew).
 */
export function newTaskId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // A v4 UUID supplies the random bits; its version digit (index 14) becomes 7.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
