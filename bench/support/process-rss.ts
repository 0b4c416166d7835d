import { readFile } from 'node:fs/promises';

/** The resident set size of process `pid` in bytes, from `/proc/<pid>/status` (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Bytes in megabytes (10^6 bytes), the unit footprint targets are given in. */
export function megabytes(bytes: number): number {
  return bytes / 1e6;
}
