import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid from a /proc/<pid>/stat line; the command name in parentheses may hold spaces. */
function parentPidFromStat(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children; // no /proc (not Linux): only the process group kill applies
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited while we were scanning
    }
    const ppid = parentPidFromStat(stat);
    if (ppid === undefined) continue;
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  return children;
}

/** Every live descendant of `rootPid`, found by walking parent pids in /proc. */
export function findDescendants(rootPid: number): number[] {
  const children = childrenByParent();
  const found: number[] = [];
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

function sigkill(pid: number): void {
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
