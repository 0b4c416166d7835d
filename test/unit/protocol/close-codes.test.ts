import { describe, expect, it } from 'vitest';
import {
  CLOSE_NOT_LEADER,
  CLOSE_WORKER_EXPIRED,
  CLOSE_WORKER_REPLACED,
} from '../../../protocol/index.js';

describe('WebSocket close codes', () => {
  it('give each meaning its own code in the application range', () => {
    // A worker once read an expiry's reason as a leader URL: both closed with 4001.
    const codes = [CLOSE_WORKER_EXPIRED, CLOSE_WORKER_REPLACED, CLOSE_NOT_LEADER];
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code >= 4000 && code <= 4999).toBe(true);
  });
});
