import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcessEntry {
  pid: number;
  parentPid: number;
  /** The process group, as this process's PID namespace sees it. */
  groupId: number;
  /** Exited but not yet reaped by its parent: it holds no memory and runs nothing. */
  zombie: boolean;
  rssKb: number;
}

/** The first number of a `Name:\tvalue` line; namespaced fields list this namespace's first. */
function statusNumber(status: string, field: string): number | undefined {
  const match = status.match(new RegExp(`^${field}:\\s*(\\d+)`, 'm'));
  return match === null ? undefined : Number(match[1]);
}

/** One process from its `<procRoot>/<pid>/status`, or undefined once it has gone. */
export async function readProcess(
  pid: number,
  procRoot = '/proc',
): Promise<ProcessEntry | undefined> {
  const status = await readFile(join(procRoot, String(pid), 'status'), 'utf8').catch(() => '');
  const parentPid = statusNumber(status, 'PPid');
  const groupId = statusNumber(status, 'NSpgid');
  if (parentPid === undefined || groupId === undefined) return undefined;
  return {
    pid,
    parentPid,
    groupId,
    zombie: /^State:\s*Z/m.test(status),
    // Kernel threads and zombies have no VmRSS line.
    rssKb: statusNumber(status, 'VmRSS') ?? 0,
  };
}

/** Every process in a /proc-like directory. */
export async function readProcessTable(procRoot = '/proc'): Promise<ProcessEntry[]> {
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(pids.map((pid) => readProcess(pid, procRoot)));
  return entries.filter((entry) => entry !== undefined);
}
