import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `dtf-<pid of the owner>-<random>` in the temp dir. */
const SCRATCH_NAME = /^dtf-(\d+)-[A-Za-z0-9]{6}$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // another user's
  }
}

/** A fresh private (0700) directory for this process. */
export function makeScratchDir(): string {
  return mkdtempSync(join(tmpdir(), `dtf-${process.pid}-`));
}

/**
 * Removes the scratch dirs of DTF processes that are gone, which their reaper did not remove
 * because it was killed as well (a whole process tree or cgroup killed at once).
 */
export function sweepScratchDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const owner = SCRATCH_NAME.exec(name)?.[1];
    if (owner === undefined || isRunning(Number(owner))) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's, or removed meanwhile
    }
  }
}
