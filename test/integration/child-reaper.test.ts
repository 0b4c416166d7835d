import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  kill9,
  processMark,
  spawnWatched,
  waitForMarked,
  waitUntilNoneMarked,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

/**
 * A DTF process in miniature: it runs a command through the Node worker's runner, one whose
 * shell drops the environment (and so the owner mark) before it starts a grandchild, and
 * leaves a file in its scratch dir.
 */
const OWNER = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const { childReaper } = await import(${JSON.stringify(dist('child-processes/reaper.js'))});
const { runProcess } = await import(${JSON.stringify(dist('node-worker/runners/run-process.js'))});
const { scratchDir } = childReaper();
writeFileSync(join(scratchDir, 'report.json'), '{}');
const spec = { command: "exec env -i sh -c 'sleep 1000 & wait'", args: [], env: {}, shell: true, timeoutMs: 1e9 };
void runProcess(spec, new AbortController().signal);
console.log('scratch ' + scratchDir);
setInterval(() => {}, 1000);
`;

it('a DTF process killed with SIGKILL takes its children along, unmarked ones too, and its scratch dir', async () => {
  // A scratch dir whose owner died with its reaper: the next DTF process to start sweeps it.
  const deadPid = spawnSync('true').pid;
  const namespace = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  const stale = join(tmpdir(), `dtf-${namespace}-${deadPid}-1234-abcdef`);
  mkdirSync(stale);
  writeFileSync(join(stale, 'left-over'), '');

  const mark = processMark();
  const owner = spawnWatched(process.execPath, ['--input-type=module', '-e', OWNER], {
    env: { ...process.env, ...mark.env },
  });
  const [, scratchDir] = await owner.waitFor(/^scratch (\S+)$/m);
  expect(existsSync(join(scratchDir!, 'report.json'))).toBe(true);
  expect(existsSync(stale)).toBe(false);
  const running = await waitForMarked(
    mark.entry,
    (processes) => processes.some((p) => p.command === 'sleep 1000'),
    'the grandchild to run',
  );

  await kill9(owner);
  await waitUntilNoneMarked(mark.entry, running);
  expect(existsSync(scratchDir!)).toBe(false);
});

/** Just a scratch dir: `childReaper()` sweeps the stale ones of others first. */
const SCRATCH_OWNER = `
const { childReaper } = await import(${JSON.stringify(dist('child-processes/reaper.js'))});
console.log('scratch ' + childReaper().scratchDir);
setInterval(() => {}, 1000);
`;

const canUnshare = spawnSync('unshare', ['-rpf', '--mount-proc', 'true']).status === 0;

/** A pid that no process here has, so that a check by pid alone takes its owner for gone. */
function unusedPid(): number {
  for (let pid = 30_000; pid > 300; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no unused pid below 30000');
}

it.skipIf(!canUnshare)(
  'a DTF process leaves alone the scratch dir of a live DTF process in another PID namespace',
  async () => {
    const mark = processMark();
    const env = { ...process.env, ...mark.env };
    const pid = unusedPid();
    // In a PID namespace of its own sharing /tmp, as in a container; its pid there is `pid`.
    // The namespace ends with the kill of `unshare` in teardown.
    const startAt = `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid; "$0" "$@"`;
    const owner = ['--input-type=module', '-e', SCRATCH_OWNER];
    const inside = spawnWatched(
      'unshare',
      ['-rp', '--kill-child', '--mount-proc', 'sh', '-c', startAt, process.execPath, ...owner],
      { env },
    );
    const [, insideDir] = await inside.waitFor(/^scratch (\S+)$/m);
    try {
      const outside = spawnWatched(process.execPath, owner, { env });
      await outside.waitFor(/^scratch (\S+)$/m);
      expect(existsSync(insideDir!)).toBe(true);
    } finally {
      rmSync(insideDir!, { recursive: true, force: true });
    }
  },
);
