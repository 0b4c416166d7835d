import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskEvent } from '../../protocol/index.js';
import { kill9, startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

describe('a worker killed with SIGKILL mid-task', () => {
  it('loses its leases after the heartbeat allowance; its tasks run again on the other worker and succeed', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
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
        payload: { command: 'sleep', args: ['1'] },
        group: 'crash',
      })),
    );
    await running;

    const survivor = await startWorkerProcess(coordinator, {
      slots: 2,
      labels: { role: 'survivor' },
    });
    await kill9(doomed);
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
