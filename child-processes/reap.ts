import { readFileSync } from 'node:fs';
import {
  goneOrTimeout,
  listProcesses,
  type ProcessStat,
  sigkill,
  withDescendants,
} from './process-tree.js';

/** The environment variable that marks a process, and all it starts, as owned by one DTF process. */
export const OWNER_ENV = 'DTF_OWNER';

/** Process roots handed to the reaper: pid → start time, so that a reused pid is never hit. */
export type Adopted = ReadonlyMap<number, string>;

/** How often the reaper looks again for processes started while it was killing. */
const ROUNDS = 5;
/** How long killed processes get to disappear before the next round. */
const ROUND_TIMEOUT_MS = 2_000;

/** Whether `/proc/<pid>/environ` holds the entry `entry`; false where it cannot be read. */
export function environHolds(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false; // gone, or another user's
  }
}

/**
 * What must die: every adopted root that is still the process it was (same start time), every
 * process that carries the owner mark, and all their descendants; never `self`.
 */
export function orphans(
  table: readonly ProcessStat[],
  adopted: Adopted,
  marked: (pid: number) => boolean,
  self: number,
): ProcessStat[] {
  const live = table.filter((entry) => !entry.zombie && entry.pid !== self);
  const roots = live.filter(
    (entry) => adopted.get(entry.pid) === entry.startTime || marked(entry.pid),
  );
  const doomed = new Set(
    withDescendants(
      live,
      roots.map((entry) => entry.pid),
    ),
  );
  doomed.delete(self);
  return live.filter((entry) => doomed.has(entry.pid));
}

/**
 * SIGKILLs the orphans of a DTF process that has gone (see `orphans`), each process group one
 * of them leads as a whole, and looks again until a round finds none: a process may have been
 * forked while the previous round was killing.
 */
export async function reapOrphans(adopted: Adopted, mark: string, self: number): Promise<void> {
  const entry = `${OWNER_ENV}=${mark}`;
  for (let round = 0; round < ROUNDS; round++) {
    const victims = orphans(listProcesses(), adopted, (pid) => environHolds(pid, entry), self);
    if (victims.length === 0) return;
    for (const victim of victims) {
      if (victim.groupId === victim.pid) sigkill(-victim.pid);
      sigkill(victim.pid);
    }
    await goneOrTimeout(victims, ROUND_TIMEOUT_MS);
  }
}
