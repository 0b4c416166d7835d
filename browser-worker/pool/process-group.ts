import { setTimeout as sleep } from 'node:timers/promises';
import { type ProcessEntry, readProcess, readProcessTable } from './process-table.js';

const POLL_MS = 50;

/**
 * Whether `pid` leads its own process group. Puppeteer and Playwright start browsers detached,
 * so a browser and every helper process it forks share a group that outlives a crashed parent.
 */
export async function leadsProcessGroup(pid: number): Promise<boolean> {
  return (await readProcess(pid))?.groupId === pid;
}

/** Processes of the group that still run (zombies only wait to be reaped). */
export function liveGroupMembers(table: readonly ProcessEntry[], groupId: number): ProcessEntry[] {
  return table.filter((entry) => entry.groupId === groupId && !entry.zombie);
}

/**
 * Sends SIGKILL to every process of the group led by `groupId` and waits up to `timeoutMs` for
 * them to be gone; a group already gone is fine.
 */
export async function killProcessGroup(groupId: number, timeoutMs: number): Promise<void> {
  try {
    process.kill(-groupId, 'SIGKILL');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return;
    throw error;
  }
  const deadline = performance.now() + timeoutMs;
  while (liveGroupMembers(await readProcessTable(), groupId).length > 0) {
    if (performance.now() > deadline) return;
    await sleep(POLL_MS);
  }
}
