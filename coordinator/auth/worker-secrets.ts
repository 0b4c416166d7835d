import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from './credentials.js';

/** A fresh worker secret and the hash the coordinator keeps of it (hex). */
export function issueWorkerSecret(): { secret: string; sha256: string } {
  const secret = `dtf_ws_${randomBytes(32).toString('base64url')}`;
  return { secret, sha256: workerSecretSha256(secret) };
}

export function workerSecretSha256(secret: string): string {
  return sha256(secret).toString('hex');
}

/** Whether `secret` hashes to `storedSha256` (hex), compared in constant time. */
export function workerSecretMatches(secret: string, storedSha256: string): boolean {
  const stored = Buffer.from(storedSha256, 'hex');
  const presented = sha256(secret);
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
