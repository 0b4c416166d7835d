import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnDtf, startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

/** The progress lines a non-TTY `dtf wait` wrote, in order. */
function progressLines(output: string): string[] {
  return output.split('\n').filter((line) => / done · \d+ running · /.test(line));
}

describe('dtf wait', () => {
  it('counts every task from the first progress line, says why they wait, and gives up at --timeout naming them', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    const access = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const submit = spawnDtf([
      'submit',
      ...access,
      '--command',
      'true',
      '--count',
      '13',
      '--group',
      'thirteen',
    ]);
    expect(await submit.exited, submit.output()).toBe(0);

    const wait = spawnDtf(['wait', 'thirteen', ...access, '--timeout', '10s']);
    await wait.waitFor(/13 unschedulable: no worker connected/);
    expect(await wait.exited).toBe(1);
    const lines = progressLines(wait.output());
    expect(lines[0]).toBe('0/13 done · 0 running · 13 queued · 0 failed');
    expect(lines.every((line) => line.startsWith('0/13 done'))).toBe(true);
    expect(wait.output()).toMatch(
      /dtf: timed out after 10\.0s with 13 of 13 task\(s\) not ended:\n( {2}.+: queued; unschedulable: no worker connected\n){10} {2}… and 3 more/,
    );
  });

  it('lists a task that did not succeed by name with the first lines of its stderr', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(coordinator, { name: 'box-1' });
    const access = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const file = join(tempDir(), 'tasks.json');
    writeFileSync(
      file,
      JSON.stringify([
        { kind: 'command', name: 'fine', payload: { command: 'true' } },
        {
          kind: 'command',
          name: 'train',
          payload: { command: 'echo "cannot open data.csv" >&2; exit 3', shell: true },
        },
      ]),
    );
    const submit = spawnDtf(['submit', file, ...access, '--group', 'named', '--wait']);
    expect(await submit.exited).toBe(1);
    expect(submit.output()).toMatch(
      /1 task\(s\) did not succeed:\ntrain \(\S+\): failed, attempt 1: exited with code 3\n {4}cannot open data\.csv/,
    );

    const tasks = spawnDtf(['tasks', '--group', 'named', ...access]);
    expect(await tasks.exited).toBe(0);
    expect(tasks.output()).toMatch(/fine\s+succeeded\s+\d+\s+1\s+box-1\s/);
    expect(tasks.output()).toMatch(/train\s+failed\s+\d+\s+1\s+box-1\s/);
  });
});
