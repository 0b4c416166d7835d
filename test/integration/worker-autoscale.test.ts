import { expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { RestWorkersResponse } from '../../protocol/index.js';
import { startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { eventually } from '../support/raft-cluster.js';
import { getJson } from '../support/rest.js';
import { TaskGate } from '../support/task-gate.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

it('dtf worker --min --max grows with the tasks of its group it could take, and drains back to --min', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const group = await startWorkerProcess(coordinator, {
    slots: 2,
    labels: { group: 'a' },
    extraArgs: ['--min', '1', '--max', '3', '--scale-down-after', '1s'],
    registered: /DTF workers autoscaling between 1 and 3 of 2 slot\(s\): 1 registered/,
  });
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  const gate = new TaskGate();
  try {
    // Six tasks of the group that hold their slots until the gate opens: three workers' worth.
    const tasks = Array.from({ length: 6 }, (_, i) => ({
      kind: 'command' as const,
      name: `held ${i}`,
      group: 'grow',
      payload: { command: gate.command('true'), shell: true },
      requirements: { labels: { group: 'a' } },
    }));
    await client.submit(tasks);
    await group.waitFor(/scaling Node workers from 1 to 3: \d+ queued/);
    const connected = async () =>
      (
        await getJson<RestWorkersResponse>(coordinator.url, '/api/workers', coordinator.adminKey)
      ).workers.filter((w) => w.status === 'connected').length;
    await eventually(async () => (await connected()) === 3, 'three workers are connected');
    gate.open();
    const ended = await client.waitFor({ group: 'grow' });
    expect(ended.map((e) => e.state)).toEqual(Array(6).fill('succeeded'));
    expect(new Set(ended.map((e) => e.workerId)).size).toBe(3);
    // Idle, with the queue empty for 1 s: the two above --min drain and go.
    await group.waitFor(/scaling Node workers from 3 to 1: queue empty for \d+ s/);
    await eventually(async () => (await connected()) === 1, 'one worker is left', 30_000);
  } finally {
    gate.open();
    await client.close();
  }
}, 120_000);
