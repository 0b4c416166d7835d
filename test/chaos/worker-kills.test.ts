import { describe, expect, it } from 'vitest';
import { cleanUpChaosAfterAll, startChaosRun } from '../support/chaos.js';

cleanUpChaosAfterAll();

const TASKS = 1_000;
const WORKERS = 4;
const ROUNDS = 20;
/** Tasks that end between two kills (at least): the kills spread over most of the run. */
const TASKS_PER_ROUND = 40;

describe('workers killed with SIGKILL, one after another, during a run', () => {
  it('runs every one of 1,000 tasks to success exactly once', async () => {
    const run = await startChaosRun({
      test: 'worker-kills',
      workers: WORKERS,
      tasks: TASKS,
      seconds: 0.2,
    });
    const { cluster, client, subscription, ended } = run;

    const started = performance.now();
    const endedAtKill: number[] = [];
    const expiries: Promise<unknown>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await ended.waitForCount(round * TASKS_PER_ROUND);
      endedAtKill.push(ended.count);
      const index = Math.floor(run.random() * cluster.workers.length);
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

    const { tasks, runs } = await run.expectEveryTaskSucceededOnce();
    // Only killed workers lost attempts.
    const killed = new Set(cluster.killed.map((w) => w.workerId));
    const lostOn = tasks.flatMap((t) => t.history.map((h) => h.workerId));
    expect(lostOn.filter((w) => w === null || !killed.has(w))).toEqual([]);
    console.log(`worker-kills: ${run.describeLostAttempts(tasks, runs)}`);
    await subscription.close();
    await client.close();
  });
});
