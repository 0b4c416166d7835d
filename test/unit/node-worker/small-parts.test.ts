import { describe, expect, test } from 'vitest';
import { Backoff } from '../../../node-worker/backoff.js';
import { parseNvidiaSmi, probeCapabilities } from '../../../node-worker/capabilities.js';
import { batchResults } from '../../../node-worker/result-batches.js';
import { NodeCapabilities, type ResultReport } from '../../../protocol/index.js';

describe('Backoff', () => {
  test('doubles up to the cap, with jitter between half and all of the base', () => {
    const lowest = new Backoff({ initialDelayMs: 100, maxDelayMs: 500 }, () => 0);
    expect([1, 2, 3, 4, 5].map(() => lowest.nextDelayMs())).toEqual([50, 100, 200, 250, 250]);
    const highest = new Backoff({ initialDelayMs: 100, maxDelayMs: 500 }, () => 1);
    expect([1, 2, 3, 4].map(() => highest.nextDelayMs())).toEqual([100, 200, 400, 500]);
    highest.reset();
    expect(highest.nextDelayMs()).toBe(100);
  });
});

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

describe('capabilities', () => {
  test('parses nvidia-smi CSV', () => {
    const csv = 'NVIDIA H100 80GB HBM3, 81559, 550.54.15\nTesla T4, [N/A], 535.1\n\n';
    expect(parseNvidiaSmi(csv)).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', memoryMb: 81559, driver: '550.54.15' },
      { name: 'Tesla T4', driver: '535.1' },
    ]);
  });

  test('reads the line nvidia-smi printed on a real H200 machine', () => {
    expect(parseNvidiaSmi('NVIDIA H200, 143771, 580.159.04\n')).toEqual([
      { name: 'NVIDIA H200', memoryMb: 143771, driver: '580.159.04' },
    ]);
  });

  test('probes a document the protocol accepts', async () => {
    const capabilities = await probeCapabilities();
    expect(NodeCapabilities.parse(capabilities)).toEqual(capabilities);
    expect(capabilities.executionProviders).toContain('cpu');
    expect(capabilities.taskKinds).toEqual(['command', 'vitest', 'model']);
    expect(capabilities.nodeVersion).toBe(process.versions.node);
    expect(capabilities.features.includes('gpu')).toBe(capabilities.gpus.length > 0);
  });
});
