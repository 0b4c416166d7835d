import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { RestWorkerView, TaskSpecInput } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  type Spawned,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;
let healthyId: string;
let brokenId: string;

/**
 * A worker that cannot run any program: its PATH holds nothing, so every `command` task fails
 * to spawn, which the node worker reports as an infrastructure failure. One slot, so its
 * attempts come one at a time and the breaker opens after exactly three.
 */
async function startBrokenWorker(): Promise<Spawned & { workerId: string }> {
  const spawned = spawnDtf(
    [
      'worker',
      '--coordinator',
      coordinator.wsUrl,
      '--token',
      coordinator.workerToken,
      '--slots',
      '1',
      '--name',
      'broken',
    ],
    { PATH: join(tempDir(), 'no-programs-here') },
  );
  const [, workerId] = await spawned.waitFor(/DTF worker (\S+) registered/);
  return { ...spawned, workerId: workerId! };
}

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  healthyId = (await startWorkerProcess(coordinator, { slots: 2, name: 'healthy' })).workerId;
  brokenId = (await startBrokenWorker()).workerId;
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

describe('circuit breaker with real workers', () => {
  it('isolates a worker that fails every task after 3 failures; its tasks succeed elsewhere', async () => {
    // Each task takes 200 ms on the healthy worker, so the queue lasts about two seconds: far
    // longer than the broken worker needs to fail three times.
    const specs: TaskSpecInput[] = Array.from({ length: 20 }, (_, i) => ({
      kind: 'command',
      name: `breaker-${i}`,
      payload: { command: 'sleep', args: ['0.2'] },
      retry: { maxRetries: 5, delayMs: 10 },
      group: 'breaker',
    }));
    await client.submit(specs);
    const final = await client.waitFor({ group: 'breaker' });
    expect(final).toHaveLength(20);
    expect(final.map((e) => e.state)).toEqual(Array(20).fill('succeeded'));

    const tasks = await client.query({ group: 'breaker', limit: 100 });
    expect(tasks.every((t) => t.workerId === healthyId)).toBe(true);
    const onBroken = tasks.flatMap((t) => t.history).filter((a) => a.workerId === brokenId);
    expect(onBroken).toHaveLength(3);
    for (const attempt of onBroken) expect(attempt.reason).toMatch(/spawn failed/);

    const { workers } = await getJson<{ workers: RestWorkerView[] }>(
      coordinator.url,
      '/api/workers',
      coordinator.adminKey,
    );
    const broken = workers.find((w) => w.id === brokenId)!;
    const healthy = workers.find((w) => w.id === healthyId)!;
    expect(broken.health).toMatchObject({ breaker: 'open', consecutiveFailures: 3 });
    expect(broken.health.openedAt).toBeTypeOf('number');
    expect(broken.health.score).toBeLessThan(70);
    expect(healthy.health).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(healthy.health.score).toBeGreaterThanOrEqual(70);

    // `dtf workers` shows the same.
    const cli = spawnDtf([
      'workers',
      '--coordinator',
      coordinator.url,
      '--token',
      coordinator.adminKey,
    ]);
    expect(await cli.exited).toBe(0);
    const row = cli
      .output()
      .split('\n')
      .find((line) => line.includes(brokenId));
    expect(row).toMatch(/^broken\s+\S+\s+node\s+connected\s+0\/1\s+\d+\s+open \(3 failures\)$/);
  });
});
