import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let client: DtfClient;

beforeAll(async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  await startWorkerProcess(coordinator, { slots: 2 });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

/** Whether a process exists and is not a zombie (which a container's init may never reap). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('timeouts', () => {
  it('kills the process tree of a task past its timeout and retries it with 1.5 times the timeout', async () => {
    const pids = join(tempDir(), 'pids');
    // The shell and the sleep it starts both write their pid: the whole tree must die.
    const script = `echo $$ >> ${pids}; sleep 60 & echo $! >> ${pids}; wait`;
    const [id] = await client.submit([
      {
        kind: 'command',
        payload: { command: 'sh', args: ['-c', script] },
        timeoutMs: 400,
        retry: { maxRetries: 1, delayMs: 0 },
        group: 'timeouts',
      },
    ]);
    const [ended] = await client.waitFor({ taskIds: [id!] });
    expect(ended!.state).toBe('failed');
    const [task] = await client.query({ taskIds: [id!] });
    expect(task!.attempt).toBe(2);
    expect(task!.history.map((a) => a.reason)).toEqual([
      'timed out after 400 ms; process tree killed',
      'timed out after 600 ms; process tree killed',
    ]);
    expect(task!.result?.error).toBe(
      'gave up after 2 attempts; last: timed out after 600 ms; process tree killed',
    );
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(4);
    expect(started.filter(isRunning)).toEqual([]);
  });
});
