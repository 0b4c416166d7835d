import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { reapOrphans } from './reap.js';

/**
 * The reaper of one DTF process (started by `childReaper()`, arguments: the owner mark and the
 * scratch dir). It reads `adopt <pid> <start time>` and `release <pid>` lines on stdin; when stdin ends or
 * its parent changes, the DTF process has gone, however it went (kill -9 included): it kills
 * every process that DTF process left (see `reapOrphans`), removes the scratch dir and exits.
 */
const [mark, scratchDir] = process.argv.slice(2);
if (mark === undefined || scratchDir === undefined) {
  process.stderr.write('usage: reaper-process <owner mark> <scratch dir>\n');
  process.exit(2);
}

/** Only the end of its DTF process ends it: a signal to DTF's process group must not. */
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

const adopted = new Map<number, string>();
const parent = process.ppid;
let reaping = false;

async function reap(): Promise<void> {
  if (reaping) return;
  reaping = true;
  await reapOrphans(adopted, mark!, process.pid);
  rmSync(scratchDir!, { recursive: true, force: true });
  process.exit(0);
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [verb, pidText, startTime] = line.split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) return;
    if (verb === 'release') adopted.delete(pid);
    if (verb === 'adopt' && startTime !== undefined) adopted.set(pid, startTime);
  })
  .on('close', () => void reap());

// Should a descendant of the parent have inherited its end of the pipe, stdin would stay open.
setInterval(() => {
  if (process.ppid !== parent) void reap();
}, 1_000);
