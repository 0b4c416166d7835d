import { describe, expect, test } from 'vitest';
import { parseNvidiaSmi, probeCapabilities } from '../../../node-worker/capabilities.js';
import { NodeCapabilities } from '../../../protocol/index.js';

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
    expect(capabilities.taskKinds).toEqual(['command', 'vitest', 'model', 'shard-stage', 'plugin']);
    expect(capabilities.nodeVersion).toBe(process.versions.node);
    expect(capabilities.features.includes('gpu')).toBe(capabilities.gpus.length > 0);
  });
});
