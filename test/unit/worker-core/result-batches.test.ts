import { describe, expect, test } from 'vitest';
import type { ResultReport } from '../../../protocol/index.js';
import { batchResults } from '../../../worker-core/result-batches.js';

describe('batchResults', () => {
  const report = (taskId: string): ResultReport => ({
    taskId,
    attempt: 1,
    leaseToken: 1,
    result: { status: 'failed', durationMs: 1, error: 'x'.repeat(1_000) },
  });

  test('keeps each message within the size limit', () => {
    const reports = ['a', 'b', 'c', 'd', 'e'].map(report);
    const batches = batchResults(reports, 2_500);
    expect(batches.map((batch) => batch.map((r) => r.taskId))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    for (const results of batches) {
      const message = JSON.stringify({ v: 1, type: 'result', results });
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(2_500);
    }
  });

  test('sends an oversized result alone rather than never', () => {
    expect(batchResults([report('a')], 10)).toEqual([[report('a')]]);
  });
});
