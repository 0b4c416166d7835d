import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import {
  ChaosCluster,
  chaosSeed,
  cleanUpChaosAfterAll,
  describeLostAttempts,
  EndedTasks,
  expectEveryTaskSucceededOnce,
  markedTasks,
  seededRandom,
} from '../support/chaos.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpChaosAfterAll();

const TASKS = 1_000;
const WORKERS = 4;
const ROUNDS = 20;
/** Tasks that end between two kills (at least): the kills spread over most of the run. */
const TASKS_PER_ROUND = 40;

describe('workers killed with SIGKILL, one after another, during a run', () => {
  it('runs every one of 1,000 tasks to success exactly once', async () => {
    const random = seededRandom(chaosSeed('worker-kills'));
    const cluster = await ChaosCluster.start({
      workers: WORKERS,
      slots: 3,
      heartbeatMs: 200,
      heartbeatMisses: 3,
    });
    const { coordinator } = cluster;
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    const ended = new EndedTasks();
    const subscription = await client.subscribe({ group: 'chaos' }, ended.record);
    const markerFile = join(tempDir('dtf-chaos-runs-'), 'runs.txt');
    const ids = await client.submit(
      markedTasks(TASKS, {
        markerFile,
        group: 'chaos',
        retry: { maxRetries: 15, delayMs: 20 },
        seconds: 0.2,
      }),
    );
    expect(ids).toHaveLength(TASKS);

    const started = performance.now();
    const endedAtKill: number[] = [];
    const expiries: Promise<unknown>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await ended.waitForCount(round * TASKS_PER_ROUND);
      endedAtKill.push(ended.count);
      const index = Math.floor(random() * cluster.workers.length);
      const victim = await cluster.killWorker(index);
      // The coordinator notices the loss while the next rounds go on.
      const expired = cluster.workerExpired(victim.workerId);
      expired.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      expiries.push(expired);
      await cluster.replaceWorker(index);
    }
    console.log(
      `worker-kills: ${ROUNDS} kills in ${Math.round(performance.now() - started)} ms, ` +
        `at ${endedAtKill.join(', ')} tasks ended`,
    );
    // The coordinator declared every killed worker dead.
    await Promise.all(expiries);

    await client.waitFor({ taskIds: ids });
    await ended.waitForCount(TASKS);
    const tasks = await client.query({ group: 'chaos', limit: 10_000 });
    const { runs } = expectEveryTaskSucceededOnce({ ids, tasks, ended, markerFile });
    // Only killed workers lost attempts.
    const killed = new Set(cluster.killed.map((w) => w.workerId));
    const lostOn = tasks.flatMap((t) => t.history.map((h) => h.workerId));
    expect(lostOn.filter((w) => w === null || !killed.has(w))).toEqual([]);
    console.log(`worker-kills: ${describeLostAttempts(tasks, cluster, runs)}`);
    await subscription.close();
    await client.close();
  });
});
