import { readFileSync } from 'node:fs';
import { liveProcessTree } from './process-tree.js';

/** The resident memory a `/proc/<pid>/status` text reports; kernel threads and zombies have none. */
export function residentKb(status: string): number {
  const match = /^VmRSS:\s*(\d+)\s*kB/m.exec(status);
  return match === null ? 0 : Number(match[1]);
}

function residentKbOf(pid: number): number {
  try {
    return residentKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return 0; // gone meanwhile
  }
}

/** The resident memory of `rootPid` and all its descendants in MB; 0 where there is no /proc. */
export function treeRssMb(rootPid: number): number {
  return liveProcessTree(rootPid).reduce((sum, { pid }) => sum + residentKbOf(pid), 0) / 1024;
}
