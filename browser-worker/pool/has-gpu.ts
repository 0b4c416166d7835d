import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const NVIDIA_SMI_TIMEOUT_MS = 5_000;

async function hasRenderNode(): Promise<boolean> {
  const nodes = await readdir('/dev/dri').catch(() => []);
  return nodes.some((name) => name.startsWith('renderD'));
}

async function nvidiaSmiListsGpu(): Promise<boolean> {
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', ['-L'], {
      timeout: NVIDIA_SMI_TIMEOUT_MS,
    });
    return stdout.includes('GPU');
  } catch {
    return false;
  }
}

/** Whether the machine has a GPU a browser could use: a DRM render node or an NVIDIA GPU. */
export async function hasGpu(): Promise<boolean> {
  return (await hasRenderNode()) || (await nvidiaSmiListsGpu());
}
