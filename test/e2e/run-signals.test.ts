import { expect, it } from 'vitest';
import { processMark, spawnDtf, waitForMarked, waitUntilNoneMarked } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

/** A suite that keeps `dtf run` busy: a Chromium pool, and a command whose grandchild waits. */
function busySuite(): string {
  return writeSuiteFile(tempDir(), {
    name: 'busy',
    pool: { chromium: 1 },
    tasks: [
      { name: 'waits', kind: 'command', payload: { command: 'sleep 1000 & wait', shell: true } },
    ],
  });
}

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGKILL', null],
] as const)(
  'dtf run stopped by %s leaves no process behind, Chromium included',
  async (signal, exitCode) => {
    const mark = processMark();
    const run = spawnDtf(['run', busySuite(), '--out', tempDir()], mark.env);
    const running = await waitForMarked(
      mark.entry,
      (processes) =>
        processes.some((p) => p.command === 'sleep 1000') &&
        processes.some((p) => p.command.includes('--type=renderer')),
      'the task and Chromium to run',
      60_000,
    );
    run.child.kill(signal);
    expect(await run.exited, run.output()).toBe(exitCode);
    await waitUntilNoneMarked(mark.entry, running);
  },
);
