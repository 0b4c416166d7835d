import { spawnUntilLine, withProcess } from '../support/child-process.js';
import { residentBytes } from '../support/process-rss.js';

/** Prints `ready` and then waits, doing nothing, until it is stopped. */
const IDLE_SCRIPT = "process.stdout.write('ready\\n'); setInterval(() => {}, 1 << 30);";

/**
 * The resident set size in bytes of a `node -e` process that only waits, run by the same Node
 * as this one: the floor under any Node process's footprint.
 */
export function measureIdleNodeRss(): Promise<number> {
  return withProcess(spawnUntilLine(process.execPath, ['-e', IDLE_SCRIPT], /^ready$/), (idle) =>
    residentBytes(idle.pid),
  );
}
