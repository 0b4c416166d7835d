import type { BrowserCapabilities } from '../../../protocol/index.js';
import { TIMED_OUT, within } from '../deadline.js';
import { PAGE_TASK_KINDS } from '../runners/index.js';
import { identifyBrowser, type UaBrand, type UaHints } from './browser-identity.js';
import { probeWasm } from './wasm-probe.js';
import { probeWebgpu } from './webgpu-probe.js';
import { probeWebnn } from './webnn-probe.js';

/** User-Agent Client Hints; not in the DOM types, and only Chromium has them. */
interface UserAgentData {
  brands: readonly UaBrand[];
  platform: string;
  getHighEntropyValues(hints: string[]): Promise<{
    architecture?: string;
    bitness?: string;
    fullVersionList?: UaBrand[];
  }>;
}

/** A probe that hangs (a stuck GPU driver) must not keep the worker from registering. */
const PROBE_TIMEOUT_MS = 15_000;
const probeTimedOut = {
  available: false,
  reason: `the probe did not finish within ${PROBE_TIMEOUT_MS} ms`,
};

async function orTimedOut<T>(probe: Promise<T>, timedOut: T): Promise<T> {
  const outcome = await within(probe, PROBE_TIMEOUT_MS);
  return outcome === TIMED_OUT ? timedOut : outcome;
}

type ProbedNavigator = Navigator & { userAgentData?: UserAgentData; deviceMemory?: number };

/** Detects what this browser offers to tasks; nothing is declared by hand. */
export async function probeCapabilities(): Promise<BrowserCapabilities> {
  const nav = navigator as ProbedNavigator;
  const [hints, webgpu, webnn] = await Promise.all([
    uaHints(nav),
    orTimedOut(probeWebgpu(), { ...probeTimedOut, features: [], limits: {} }),
    orTimedOut(probeWebnn(), {
      ...probeTimedOut,
      deviceTypes: { cpu: probeTimedOut, gpu: probeTimedOut, npu: probeTimedOut },
    }),
  ]);
  const identity = identifyBrowser(nav.userAgent, hints);
  const wasm = probeWasm();
  const features: string[] = [];
  if (webgpu.available) features.push('webgpu');
  if (webgpu.adapter?.isFallbackAdapter) features.push('webgpu-fallback');
  if (webnn.available) features.push('webnn');
  if (wasm.simd) features.push('wasm-simd');
  if (wasm.threads) features.push('wasm-threads');
  return {
    kind: 'browser',
    os: identity.os,
    arch: identity.arch,
    cpus: Math.max(1, nav.hardwareConcurrency || 1),
    memoryMb: Math.round((nav.deviceMemory ?? 0) * 1024),
    browser: {
      name: identity.name,
      version: identity.version,
      engine: identity.engine,
      userAgent: nav.userAgent,
    },
    webgpu,
    webnn,
    wasm,
    taskKinds: [...PAGE_TASK_KINDS],
    features,
  };
}

async function uaHints(nav: ProbedNavigator): Promise<UaHints | undefined> {
  const data = nav.userAgentData;
  if (data === undefined) return undefined;
  try {
    const high = await data.getHighEntropyValues(['architecture', 'bitness', 'fullVersionList']);
    return {
      brands: high.fullVersionList ?? data.brands,
      platform: data.platform,
      architecture: high.architecture,
      bitness: high.bitness,
    };
  } catch {
    return { brands: data.brands, platform: data.platform };
  }
}
