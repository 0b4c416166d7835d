import { randomBytes } from 'node:crypto';

/** A fresh, readable group id like `run-20250101T120000-a1b2c3`, so a run can be followed. */
export function newGroupId(now: Date = new Date()): string {
  const timestamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `run-${timestamp}-${randomBytes(3).toString('hex')}`;
}
