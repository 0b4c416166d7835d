import type { GpuAdapterInfo } from '../../protocol/index.js';
import { errorText } from '../../worker-core/index.js';

export type OpenedGpu =
  | { ok: true; adapter: GPUAdapter; device: GPUDevice; info: GpuAdapterInfo }
  | { ok: false; reason: string };

/** Adapter and device, or the browser's own words for why there are none. */
export async function openGpu(): Promise<OpenedGpu> {
  if (!('gpu' in navigator) || navigator.gpu === undefined) {
    const reason = isSecureContext
      ? 'navigator.gpu is absent: this browser has no WebGPU'
      : 'navigator.gpu is absent: WebGPU needs a secure context (https or localhost)';
    return { ok: false, reason };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (error) {
    return { ok: false, reason: `requestAdapter() failed: ${errorText(error)}` };
  }
  if (adapter === null) {
    return { ok: false, reason: 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter' };
  }
  try {
    const device = await adapter.requestDevice();
    return { ok: true, adapter, device, info: adapterInfo(adapter) };
  } catch (error) {
    return { ok: false, reason: `requestDevice() failed: ${errorText(error)}` };
  }
}

function adapterInfo(adapter: GPUAdapter): GpuAdapterInfo {
  const { vendor, architecture, device, description } = adapter.info;
  // Older browsers have the flag on the adapter itself rather than on its info.
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const isFallbackAdapter = adapter.info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false;
  return { vendor, architecture, device, description, isFallbackAdapter };
}
