import type { Assignment, BrowserCapabilities, TaskResult } from '../../protocol/index.js';

/** One line of what the page found this browser can do: `ok` false where it cannot. */
export interface CapabilityLine {
  label: string;
  value: string;
  ok: boolean;
}

const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');

/** What the probes found, in words a person lending a browser can check against their machine. */
export function capabilityLines(capabilities: BrowserCapabilities): CapabilityLine[] {
  const { browser, webgpu, webnn, wasm } = capabilities;
  const adapter = webgpu.adapter;
  const gpuName = [adapter?.vendor, adapter?.architecture, adapter?.description]
    .filter((part) => part !== undefined && part !== '')
    .join(' · ');
  const deviceTypes = Object.entries(webnn.deviceTypes);
  return [
    {
      label: 'Browser',
      value: `${browser.name} ${browser.version} (${browser.engine}) on ${capabilities.os} ${capabilities.arch}, ${capabilities.cpus} CPUs`,
      ok: true,
    },
    webgpu.available
      ? {
          label: 'WebGPU',
          value: `${gpuName === '' ? 'an adapter' : gpuName}${adapter?.isFallbackAdapter === true ? ' (fallback adapter: software, slow)' : ''}`,
          ok: true,
        }
      : { label: 'WebGPU', value: `unavailable: ${webgpu.reason ?? 'no adapter'}`, ok: false },
    webnn.available
      ? {
          label: 'WebNN',
          value: deviceTypes
            .map(([type, probe]) =>
              probe.available
                ? `${type} yes`
                : `${type} no${probe.reason === undefined ? '' : ` (${probe.reason})`}`,
            )
            .join(', '),
          ok: true,
        }
      : { label: 'WebNN', value: `unavailable: ${webnn.reason ?? 'no navigator.ml'}`, ok: false },
    {
      label: 'WebAssembly',
      value: `SIMD ${yesNo(wasm.simd)}, threads ${yesNo(wasm.threads)}${wasm.threads || wasm.crossOriginIsolated ? '' : ' (the page is not cross-origin isolated)'}`,
      ok: wasm.simd,
    },
  ];
}

/** The backend a task runs on, where its kind has one. */
export function backendOf(assignment: Assignment): string | undefined {
  switch (assignment.kind) {
    case 'model':
    case 'shard-stage': {
      const { executionProvider, webnnDeviceType } = assignment.payload;
      return executionProvider === 'webnn' ? `webnn ${webnnDeviceType}` : executionProvider;
    }
    case 'webgpu':
      return 'webgpu';
    default:
      return undefined;
  }
}

/** What the page calls a task: its name, else its id. */
export const taskLabel = (assignment: Assignment) => assignment.name ?? assignment.taskId;

const STATUS_WORDS: Record<TaskResult['status'], string> = {
  succeeded: 'passed',
  failed: 'failed',
  timed_out: 'timed out',
  unsupported: 'unsupported',
};

export const statusWord = (status: TaskResult['status']) => STATUS_WORDS[status];

/** `850 ms`, `12.3 s`, `4 min 05 s`: short enough for a table cell. */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
