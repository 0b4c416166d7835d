import type { BrowserCapabilities } from '../../../protocol/index.js';

/** A module whose one function uses v128 instructions (i8x16.splat, i8x16.popcnt). */
const SIMD_MODULE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

export function probeWasm(): BrowserCapabilities['wasm'] {
  const simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_MODULE);
  // Wasm threads need shared memory, which browsers give only to cross-origin isolated pages.
  const threads = typeof SharedArrayBuffer === 'function' && crossOriginIsolated;
  return { simd, threads, crossOriginIsolated };
}
