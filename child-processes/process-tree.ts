import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessStat {
  pid: number;
  parentPid: number;
  groupId: number;
  /** Clock ticks after boot when it started: with the pid, it names one process for good. */
  startTime: string;
  /** Exited but not yet reaped: it runs nothing. */
  zombie: boolean;
}

/** The fields of a /proc/<pid>/stat line; the command name in parentheses may hold spaces. */
export function parseStat(pid: number, stat: string): ProcessStat | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parentPid = Number(fields[1]);
  const groupId = Number(fields[2]);
  const startTime = fields[19];
  if (!Number.isInteger(parentPid) || !Number.isInteger(groupId) || startTime === undefined) {
    return undefined;
  }
  return { pid, parentPid, groupId, startTime, zombie: fields[0] === 'Z' || fields[0] === 'X' };
}

/** The process `pid`, or undefined once it has gone (or where there is no /proc). */
export function readStat(pid: number): ProcessStat | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process in /proc; empty where there is none (not Linux). */
export function listProcesses(): ProcessStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const pid = Number(entry);
    const stat = Number.isInteger(pid) ? readStat(pid) : undefined;
    return stat === undefined ? [] : [stat]; // not a process, or exited while we were scanning
  });
}

/** The roots and every descendant of theirs in `table`, each once. */
export function withDescendants(table: readonly ProcessStat[], roots: Iterable<number>): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, parentPid } of table) {
    const siblings = children.get(parentPid);
    if (siblings) siblings.push(pid);
    else children.set(parentPid, [pid]);
  }
  const found = new Set(roots);
  for (const pid of found) for (const child of children.get(pid) ?? []) found.add(child);
  return [...found];
}

/** Every live descendant of `rootPid`, found by walking parent pids in /proc. */
export function findDescendants(rootPid: number): number[] {
  return withDescendants(listProcesses(), [rootPid]).filter((pid) => pid !== rootPid);
}

export function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * SIGKILLs the process group led by `rootPid` and every descendant. Descendants are collected
 * first, while their parents still link them to the root: those that called setsid left the
 * group, and once their parent dies they are re-parented and can no longer be found.
 */
export function killProcessTree(rootPid: number): void {
  const descendants = findDescendants(rootPid);
  sigkill(-rootPid);
  sigkill(rootPid);
  for (const pid of descendants) sigkill(pid);
}

/** Kills what is left of a process group whose leader has already exited. */
export function killProcessGroup(groupId: number): void {
  sigkill(-groupId);
}
