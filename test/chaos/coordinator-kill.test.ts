import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { cleanUpChaosAfterAll, startChaosRun } from '../support/chaos.js';
import { getJson } from '../support/rest.js';

cleanUpChaosAfterAll();

const TASKS = 1_000;
const WORKERS = 3;

describe('the coordinator killed with SIGKILL mid-run, and workers around it', () => {
  // 1,000 task processes and a coordinator restart on two cores: about 60 s with a CPU hog on
  // each core. The limit only catches a hang.
  it('comes back on the same data dir and port; every one of 1,000 tasks succeeds exactly once', async () => {
    const run = await startChaosRun({
      test: 'coordinator-kill',
      workers: WORKERS,
      tasks: TASKS,
      seconds: 0.1,
    });
    const { cluster, client: client1, ended, ids } = run;
    const pick = () => Math.floor(run.random() * WORKERS);

    // A worker dies before the coordinator does; the coordinator notices.
    await ended.waitForCount(200);
    const before = pick();
    const killedBefore = await cluster.killWorker(before);
    await Promise.all([
      cluster.replaceWorker(before),
      cluster.workerExpired(killedBefore.workerId),
    ]);

    // The coordinator dies mid-run, and a worker while it is down.
    await ended.waitForCount(400);
    await cluster.killCoordinator();
    await client1.close().catch(() => {});
    const endedBeforeCrash = ended.count;
    expect(endedBeforeCrash).toBeLessThan(TASKS);
    const during = pick();
    const killedDuring = await cluster.killWorker(during);
    // Its replacement starts while no coordinator listens: it registers once one does.
    const replacement = cluster.replaceWorker(during);

    const second = await cluster.restartCoordinator();
    const noticedDuring = cluster.workerExpired(killedDuring.workerId);
    const client2 = await DtfClient.connect({ urls: [second.wsUrl], token: second.adminKey });
    const subscription = await client2.subscribe({ group: 'chaos' }, ended.record);
    ended.recordSnapshot(subscription.snapshot);
    // Every acknowledged task survived the crash.
    expect(subscription.snapshot.map((e) => e.taskId).sort()).toEqual([...ids].sort());
    await Promise.all([replacement, noticedDuring]);

    // And one more worker dies after the restart.
    await ended.waitForCount(650);
    const after = pick();
    const killedAfter = await cluster.killWorker(after);
    await Promise.all([cluster.replaceWorker(after), cluster.workerExpired(killedAfter.workerId)]);

    const { tasks, runs } = await run.expectEveryTaskSucceededOnce(client2);

    // Workers that were not killed reconnected by themselves: all of them are connected now.
    const { workers } = await getJson<{ workers: Array<{ id: string; status: string }> }>(
      second.url,
      '/api/workers',
      second.adminKey,
    );
    const connected = workers.filter((w) => w.status === 'connected').map((w) => w.id);
    expect(connected.sort()).toEqual(cluster.workers.map((w) => w.workerId).sort());
    console.log(
      `coordinator-kill: ${endedBeforeCrash} tasks ended before the crash, ` +
        `${ended.fromSnapshot.size} first seen ended in the new snapshot; ` +
        run.describeLostAttempts(tasks, runs),
    );
    await subscription.close();
    await client2.close();
  }, 600_000);
});
