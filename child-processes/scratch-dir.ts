import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStat, readStat } from './process-tree.js';

/**
 * `dtf-<PID namespace>-<pid>-<start time>-<random>`: the owner's pid and start time name one
 * process for good, within its PID namespace; other namespaces (containers sharing /tmp) have
 * pids of their own, so their dirs are theirs to sweep.
 */
const SCRATCH_NAME = /^dtf-(\d+)-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

/** What names this process in its scratch dir's name; undefined where /proc cannot tell. */
interface ProcessIdentity {
  /** The inode of the PID namespace, from `/proc/self/ns/pid` (`pid:[4026531836]`). */
  namespace: string;
  pid: number;
  startTime: string;
}

/**
 * This process as /proc names it, or undefined where there is no /proc, or a /proc of another
 * PID namespace (its pids are not this process's to look up).
 */
function ownIdentity(): ProcessIdentity | undefined {
  try {
    if (readlinkSync('/proc/self') !== String(process.pid)) return undefined;
    const namespace = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    const startTime = parseStat(process.pid, readFileSync('/proc/self/stat', 'utf8'))?.startTime;
    if (namespace === undefined || startTime === undefined) return undefined;
    return { namespace, pid: process.pid, startTime };
  } catch {
    return undefined;
  }
}

/**
 * Whether the scratch dir `name` belongs to a process of namespace `namespace` that has gone
 * (`startTimeOf` its pid tells another start time, or none). Dirs of other namespaces, and
 * names that say no owner, are never stale.
 */
export function isStaleScratchDir(
  name: string,
  namespace: string,
  startTimeOf: (pid: number) => string | undefined,
): boolean {
  const match = SCRATCH_NAME.exec(name);
  if (match === null || match[1] !== namespace) return false;
  return startTimeOf(Number(match[2])) !== match[3];
}

/** A fresh private (0700) directory for this process. */
export function makeScratchDir(): string {
  const self = ownIdentity();
  const owner = self === undefined ? '' : `${self.namespace}-${self.pid}-${self.startTime}-`;
  return mkdtempSync(join(tmpdir(), `dtf-${owner}`));
}

/**
 * Removes the scratch dirs of DTF processes that are gone, which their reaper did not remove
 * because it was killed as well (a whole process tree or cgroup killed at once).
 */
export function sweepScratchDirs(): void {
  const self = ownIdentity();
  if (self === undefined) return;
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  const startTimeOf = (pid: number) => readStat(pid)?.startTime;
  for (const name of names) {
    if (!isStaleScratchDir(name, self.namespace, startTimeOf)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's, or removed meanwhile
    }
  }
}
