import { readFile } from 'node:fs/promises';
import { readProcess, readProcessTable } from '../../../browser-worker/pool/process-table.js';
import { processTree } from '../../../browser-worker/pool/process-tree.js';

/** What a running browser occupies: its process tree and its temp profile directory. */
export interface BrowserFootprint {
  pids: number[];
  profileDir: string | undefined;
}

/** Chromium takes `--user-data-dir=<dir>`, Firefox `--profile <dir>`. */
function profileDirOf(args: string[]): string | undefined {
  const chromium = args.find((arg) => arg.startsWith('--user-data-dir='));
  if (chromium !== undefined) return chromium.slice('--user-data-dir='.length);
  const flag = args.findIndex((arg) => arg === '--profile' || arg === '-profile');
  return flag === -1 ? undefined : args[flag + 1];
}

export async function browserFootprint(pid: number): Promise<BrowserFootprint> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  const pids = processTree(await readProcessTable(), pid).map((entry) => entry.pid);
  return { pids, profileDir: profileDirOf(cmdline.split('\0')) };
}

export async function runningOf(pids: readonly number[]): Promise<number[]> {
  const entries = await Promise.all(pids.map((pid) => readProcess(pid)));
  return entries.flatMap((entry) => (entry === undefined || entry.zombie ? [] : [entry.pid]));
}
