import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { CLI, spawnDtf, startCoordinatorProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

describe('the dtf command', () => {
  it('prints the package version for --version and -V', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = spawnDtf([flag]);
      expect(await run.exited).toBe(0);
      expect(run.output()).toBe(`${version}\n`);
    }
  });

  it('ends quietly when its reader goes away (dtf schema | head), as SIGPIPE would', () => {
    const stderr = join(tempDir(), 'stderr');
    // The schema is far larger than a pipe's buffer: head is gone before dtf has written it all.
    // $PIPESTATUS alone is the status of the pipeline's first command.
    const script = '"$1" "$2" schema 2>"$3" | head -c 100 >/dev/null; echo "$PIPESTATUS"';
    const result = spawnSync('bash', ['-c', script, 'bash', process.execPath, CLI, stderr], {
      encoding: 'utf8',
    });
    expect(result.stdout.trim()).toBe('141');
    expect(readFileSync(stderr, 'utf8')).toBe('');
  });

  it('cancel of a task id or group that matches nothing fails, naming it', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    const token = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const noSuch = spawnDtf(['cancel', 'no-such', ...token]);
    expect(await noSuch.exited).toBe(1);
    expect(noSuch.output()).toContain("dtf: no task or group 'no-such'");
    const noGroup = spawnDtf(['cancel', '--group', 'no-such', ...token]);
    expect(await noGroup.exited).toBe(1);
    expect(noGroup.output()).toContain("dtf: no group 'no-such': no task has it");

    // A group whose tasks all ended is there: nothing left to cancel is not an error.
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    try {
      await client.submit([{ kind: 'command', payload: { command: 'true' }, group: 'done' }]);
      await client.cancel({ group: 'done' });
    } finally {
      await client.close();
    }
    const ended = spawnDtf(['cancel', 'done', ...token]);
    expect(await ended.exited).toBe(0);
    expect(ended.output()).toContain('cancelled 0 task(s) of group done');
  });
});
