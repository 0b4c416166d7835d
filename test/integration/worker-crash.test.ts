import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskEvent } from '../../protocol/index.js';
import { kill9, startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

describe('a worker killed with SIGKILL mid-task', () => {
  it('loses its leases after the heartbeat allowance; its tasks run again on the other worker and succeed', async () => {
    const dir = tempDir();
    // The survivor must run each task's second attempt, so it may not be taken for dead when a
    // busy machine deschedules it for longer than the default 600 ms.
    const coordinator = await startCoordinatorProcess(dir, {
      extraArgs: ['--heartbeat-misses', '15'],
    });
    // The tasks run until the doomed worker is dead, however long starting the survivor takes
    // (a fixed sleep ended on the doomed worker first on a busy machine); a retry ends at once.
    const marker = join(dir, 'doomed-is-dead');
    const doomed = await startWorkerProcess(coordinator, { slots: 2, labels: { role: 'doomed' } });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });

    const started = new Set<string>();
    let bothRunning!: () => void;
    const running = new Promise<void>((resolve) => {
      bothRunning = resolve;
    });
    const onEvents = (events: TaskEvent[]) => {
      for (const e of events)
        if (e.state === 'running' && e.workerId === doomed.workerId) started.add(e.taskId);
      if (started.size === 2) bothRunning();
    };
    await client.subscribe({ group: 'crash' }, onEvents);
    const ids = await client.submit(
      [1, 2].map((i) => ({
        kind: 'command' as const,
        name: `slow${i}`,
        payload: {
          command: 'while [ ! -e "$1" ]; do sleep 0.02; done',
          args: [marker],
          shell: true,
        },
        group: 'crash',
      })),
    );
    await running;

    const survivor = await startWorkerProcess(coordinator, {
      slots: 2,
      labels: { role: 'survivor' },
    });
    await kill9(doomed);
    writeFileSync(marker, '');
    const final = await client.waitFor({ taskIds: ids });
    expect(final.map((e) => e.state)).toEqual(['succeeded', 'succeeded']);
    const tasks = await client.query({ taskIds: ids });
    for (const task of tasks) {
      expect(task.workerId).toBe(survivor.workerId);
      expect(task.attempt).toBe(2);
      expect(task.history).toEqual([
        expect.objectContaining({
          attempt: 1,
          workerId: doomed.workerId,
          reason: expect.stringMatching(/lost: no heartbeat/),
        }),
      ]);
    }
    await client.close();
  });
});
