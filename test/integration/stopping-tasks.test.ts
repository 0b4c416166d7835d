import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasExited } from '../../child-processes/process-tree.js';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
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
const isRunning = (pid: number) => !hasExited(pid);

function pidsIn(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A shell that writes its pid and that of the `sleep` it starts to `file`, then waits. */
function sleeperScript(file: string): string {
  return `echo $$ >> ${file}; sleep 60 & echo $! >> ${file}; wait`;
}

describe('stopping tasks on their worker', () => {
  it('kills the process tree of a task past its timeout and retries it with 1.5 times the timeout', async () => {
    const pids = join(tempDir(), 'pids');
    const [id] = await client.submit([
      {
        kind: 'command',
        payload: { command: 'sh', args: ['-c', sleeperScript(pids)] },
        timeoutMs: 400,
        retry: { maxRetries: 1, delayMs: 0 },
        group: 'timeouts',
      },
    ]);
    const [ended] = await client.waitFor({ taskIds: [id!] });
    expect(ended!.state).toBe('timed_out');
    const [task] = await client.query({ taskIds: [id!] });
    expect(task!.attempt).toBe(2);
    expect(task!.history.map((a) => a.reason)).toEqual([
      'timed out after 400 ms; process tree killed',
      'timed out after 600 ms; process tree killed',
    ]);
    expect(task!.result?.error).toBe(
      'gave up after 2 attempts; last: timed out after 600 ms; process tree killed',
    );
    // The shell and the sleep it started, of both attempts: the whole trees are gone.
    const started = pidsIn(pids);
    expect(started).toHaveLength(4);
    expect(started.filter(isRunning)).toEqual([]);
  });

  it('stops the running tasks of a cancelled group', async () => {
    const pids = join(tempDir(), 'pids');
    const sleeper: TaskSpecInput = {
      kind: 'command',
      payload: { command: 'sh', args: ['-c', sleeperScript(pids)] },
      group: 'cancel-me',
    };
    await client.submit([sleeper, sleeper]);
    await vi.waitFor(() => expect(pidsIn(pids)).toHaveLength(4), { timeout: 10_000, interval: 20 });
    await client.cancel({ group: 'cancel-me' });
    const ended = await client.waitFor({ group: 'cancel-me' });
    expect(ended.map((e) => e.state)).toEqual(['cancelled', 'cancelled']);
    const started = pidsIn(pids);
    await vi.waitFor(() => expect(started.filter(isRunning)).toEqual([]), {
      timeout: 10_000,
      interval: 20,
    });
  });
});
