import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import type { GpuInfo, NodeCapabilities, TaskKind } from '../protocol/index.js';
import { NODE_TASK_KINDS } from './runners/index.js';

const NVIDIA_SMI_TIMEOUT_MS = 5_000;
/** The kinds that run on onnxruntime-node's `cpu` provider. */
const ONNX_TASK_KINDS: ReadonlySet<TaskKind> = new Set(['model', 'shard-stage']);

/** GPUs from `nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split('\n')) {
    const [name, memory, driver] = line.split(',').map((field) => field.trim());
    if (!name) continue;
    const gpu: GpuInfo = { name };
    const memoryMb = Number(memory);
    if (memory && Number.isInteger(memoryMb) && memoryMb >= 0) gpu.memoryMb = memoryMb;
    if (driver) gpu.driver = driver;
    gpus.push(gpu);
  }
  return gpus;
}

async function probeNvidiaGpus(): Promise<GpuInfo[]> {
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'],
      { timeout: NVIDIA_SMI_TIMEOUT_MS },
    );
    return parseNvidiaSmi(stdout);
  } catch {
    return []; // no nvidia-smi, or no usable driver
  }
}

/** onnxruntime-node providers whose binaries ship with the package (CUDA ones need extra files). */
async function probeExecutionProviders(): Promise<string[]> {
  try {
    const ort = await import('onnxruntime-node');
    return ort
      .listSupportedBackends()
      .flatMap((backend) => (backend.bundled ? [backend.name] : []));
  } catch {
    return [];
  }
}

/** Detects what this machine offers to tasks. */
export async function probeCapabilities(): Promise<NodeCapabilities> {
  const [gpus, executionProviders] = await Promise.all([
    probeNvidiaGpus(),
    probeExecutionProviders(),
  ]);
  return {
    kind: 'node',
    os: os.platform(),
    arch: os.arch(),
    cpus: os.availableParallelism(),
    memoryMb: Math.floor(os.totalmem() / (1024 * 1024)),
    nodeVersion: process.versions.node,
    gpus,
    executionProviders,
    taskKinds: executionProviders.includes('cpu')
      ? [...NODE_TASK_KINDS]
      : NODE_TASK_KINDS.filter((kind) => !ONNX_TASK_KINDS.has(kind)),
    features: gpus.length > 0 ? ['gpu', 'cuda'] : [],
  };
}
