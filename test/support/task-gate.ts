import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** How long a gated task waits at most, so that a test that fails before opening leaves none. */
const MAX_WAIT_S = 120;
const POLL_S = 0.1;

/**
 * A gate that tasks' shell commands wait at until the test opens it. A premise such as "the
 * leader dies with tasks still running" then holds on any machine, however slow: without it,
 * a client that reads its events late can find every task ended before the kill.
 */
export class TaskGate {
  private readonly file = join(tempDir('dtf-gate-'), 'open');

  /** A shell command that waits for the gate to open, then runs `then`. */
  command(then: string): string {
    const polls = Math.round(MAX_WAIT_S / POLL_S);
    return `i=0; while [ ! -e '${this.file}' ] && [ $i -lt ${polls} ]; do sleep ${POLL_S}; i=$((i+1)); done; ${then}`;
  }

  open(): void {
    writeFileSync(this.file, '');
  }
}
