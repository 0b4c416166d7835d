import {
  liveProcessTree,
  type ProcessStat,
  readCommandLine,
  stillRuns,
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

export async function browserFootprint(pid: number): Promise<BrowserFootprint> {
  const args = readCommandLine(pid);
  if (args === undefined) throw new Error(`browser process ${pid} has gone`);
  return { processes: liveProcessTree(pid), profileDir: profileDirOf(args) };
}

/** The pids of those of `processes` that still run. */
export function runningOf(processes: readonly ProcessStat[]): number[] {
  return processes.filter(stillRuns).map((entry) => entry.pid);
}
