import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput, TaskView } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;
const workerLabels = new Map<string, Record<string, string>>();

beforeAll(async () => {
  // Every task must run once (attempt 1), so no worker may be taken for dead: on a busy machine
  // a worker descheduled for longer than the default 600 ms was expired and its tasks retried.
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--heartbeat-misses', '15'],
  });
  const pools: Array<Record<string, string>> = [{ pool: 'alpha' }, { pool: 'beta', disk: 'ssd' }];
  for (const labels of pools) {
    const worker = await startWorkerProcess(coordinator, { slots: 3, labels });
    workerLabels.set(worker.workerId, labels);
  }
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

describe('scheduling across two real workers', () => {
  it('runs 200 tasks with mixed priorities and labels, each on a worker that satisfies it, highest priority first', async () => {
    const requirementsByIndex: Array<{ labels?: Record<string, string> }> = [
      {},
      { labels: { pool: 'alpha' } },
      { labels: { pool: 'beta' } },
      { labels: { disk: 'ssd' } },
    ];
    const specs: TaskSpecInput[] = Array.from({ length: 200 }, (_, i) => ({
      kind: 'command',
      name: `t${i}`,
      payload: { command: 'true' },
      priority: (i * 7) % 5,
      requirements: requirementsByIndex[i % requirementsByIndex.length],
      group: 'mixed',
    }));
    const ids = await client.submit(specs);
    expect(ids).toHaveLength(200);
    const final = await client.waitFor({ group: 'mixed' });
    expect(final).toHaveLength(200);
    expect(final.every((e) => e.state === 'succeeded')).toBe(true);

    const tasks: TaskView[] = await client.query({ group: 'mixed', limit: 1000 });
    for (const task of tasks) {
      const labels = workerLabels.get(task.workerId!)!;
      for (const [key, value] of Object.entries(task.spec.requirements.labels ?? {})) {
        expect(labels[key], `${task.name} needs ${key}=${value}`).toBe(value);
      }
      expect(task.attempt).toBe(1);
    }
    // Every task was queued before the first one started, so on each worker the tasks must
    // have been handed out in non-increasing priority (the lease counter gives the order).
    const { workers } = await getJson<{ workers: Array<{ id: string }> }>(
      coordinator.url,
      '/api/workers',
      coordinator.adminKey,
    );
    expect(workers).toHaveLength(2);
    for (const workerId of workerLabels.keys()) {
      const mine = tasks
        .filter((t) => t.workerId === workerId)
        .sort((a, b) => a.leaseToken - b.leaseToken);
      expect(mine.length).toBeGreaterThan(0);
      const priorities = mine.map((t) => t.priority);
      expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    }
  });

  it('keeps an unsatisfiable task queued and says why', async () => {
    const [id] = await client.submit([
      {
        kind: 'command',
        payload: { command: 'true' },
        requirements: { labels: { gpu: 'a100' } },
        group: 'stuck',
      },
    ]);
    const [task] = await client.query({ taskIds: [id!] });
    expect(task).toMatchObject({
      state: 'queued',
      unschedulable: 'unschedulable: no worker with label gpu=a100',
    });
    const rest = await getJson<TaskView>(coordinator.url, `/api/tasks/${id}`, coordinator.adminKey);
    expect(rest.unschedulable).toBe('unschedulable: no worker with label gpu=a100');
    await client.cancel({ taskIds: [id!] });
  });
});
