import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** Whether `pid` no longer runs: it is gone, or only a zombie waiting for its parent to reap it. */
export function hasExited(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.zombie;
}

/** Whether `entry` still runs: its pid names the same process (same start time), not a zombie. */
export function stillRuns(entry: Pick<ProcessStat, 'pid' | 'startTime'>): boolean {
  const now = readStat(entry.pid);
  return now !== undefined && now.startTime === entry.startTime && !now.zombie;
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

/** The live processes of `rootPid`'s tree, the root first (when it still runs). */
export function liveProcessTree(rootPid: number): ProcessStat[] {
  const live = new Map(
    listProcesses()
      .filter((entry) => !entry.zombie)
      .map((entry) => [entry.pid, entry]),
  );
  return withDescendants([...live.values()], [rootPid]).flatMap((pid) => live.get(pid) ?? []);
}

/** The arguments `pid` was started with, from /proc/<pid>/cmdline; undefined once it has gone. */
export function readCommandLine(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  const args = text.split('\0');
  if (args.at(-1) === '') args.pop(); // each argument ends with a NUL
  return args;
}

/** The live processes of the process group `groupId`, orphans included. */
function groupMembers(table: readonly ProcessStat[], groupId: number): ProcessStat[] {
  return table.filter((entry) => entry.groupId === groupId && !entry.zombie);
}

const GONE_POLL_MS = 20;

/** Resolves once none of `processes` runs any more (see `stillRuns`), or after `timeoutMs`. */
export async function goneOrTimeout(
  processes: readonly ProcessStat[],
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (processes.some(stillRuns) && performance.now() < deadline) await sleep(GONE_POLL_MS);
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

/** SIGKILLs every process of the group `groupId`: what is left once its leader has exited. */
export function killProcessGroup(groupId: number): void {
  sigkill(-groupId);
}

/**
 * SIGKILLs the process group `groupId` and waits up to `timeoutMs` for its members to be gone;
 * a group already gone is fine.
 */
export async function killProcessGroupAndWait(groupId: number, timeoutMs: number): Promise<void> {
  const members = groupMembers(listProcesses(), groupId);
  killProcessGroup(groupId);
  await goneOrTimeout(members, timeoutMs);
}
