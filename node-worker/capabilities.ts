import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import type { GpuInfo, NodeCapabilities } from '../protocol/index.js';
import { RUNNABLE_KINDS } from './runners/index.js';

const NVIDIA_SMI_TIMEOUT_MS = 5_000;

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

/** Detects what this machine offers to tasks. */
export async function probeCapabilities(): Promise<NodeCapabilities> {
  const gpus = await probeNvidiaGpus();
  return {
    kind: 'node',
    os: os.platform(),
    arch: os.arch(),
    cpus: os.availableParallelism(),
    memoryMb: Math.floor(os.totalmem() / (1024 * 1024)),
    nodeVersion: process.versions.node,
    gpus,
    taskKinds: RUNNABLE_KINDS,
    features: gpus.length > 0 ? ['gpu', 'cuda'] : [],
  };
}
