import type { BrowserCapabilities } from '../../../protocol/index.js';
import { openGpu } from '../gpu.js';

type WebgpuCapabilities = BrowserCapabilities['webgpu'];

/** The limits a scheduler or a test author is likely to ask about. */
const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** Available only when both an adapter and a device were obtained. */
export async function probeWebgpu(): Promise<WebgpuCapabilities> {
  const gpu = await openGpu();
  if (!gpu.ok) return { available: false, reason: gpu.reason, features: [], limits: {} };
  gpu.device.destroy();
  const limits: Record<string, number> = {};
  for (const key of KEY_LIMITS) limits[key] = gpu.adapter.limits[key];
  return {
    available: true,
    adapter: gpu.info,
    features: [...gpu.adapter.features].sort(),
    limits,
  };
}
