import { readFile } from 'node:fs/promises';
import {
  listProcesses,
  type ProcessStat,
  stillRuns,
  withDescendants,
} from '../../../child-processes/process-tree.js';

/** What a running browser occupies: its process tree and its temp profile directory. */
export interface BrowserFootprint {
  processes: ProcessStat[];
  profileDir: string | undefined;
}

/** Chromium takes `--user-data-dir=<dir>`, Firefox `--profile <dir>`. */
function profileDirOf(args: string[]): string | undefined {
  const chromium = args.find((arg) => arg.startsWith('--user-data-dir='));
  if (chromium !== undefined) return chromium.slice('--user-data-dir='.length);
  const flag = args.findIndex((arg) => arg === '--profile' || arg === '-profile');
  return flag === -1 ? undefined : args[flag + 1];
}

/** The live processes of `rootPid`'s tree, the root first. */
export function processTreeOf(rootPid: number): ProcessStat[] {
  const table = listProcesses().filter((entry) => !entry.zombie);
  const pids = withDescendants(table, [rootPid]);
  return pids.flatMap((pid) => table.filter((entry) => entry.pid === pid));
}

export async function browserFootprint(pid: number): Promise<BrowserFootprint> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  return { processes: processTreeOf(pid), profileDir: profileDirOf(cmdline.split('\0')) };
}

/** The pids of those of `processes` that still run. */
export function runningOf(processes: readonly ProcessStat[]): number[] {
  return processes.filter(stillRuns).map((entry) => entry.pid);
}
