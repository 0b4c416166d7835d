import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { EndedTasks } from '../support/ended-tasks.js';
import {
  kill9,
  reservePort,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const TASKS = 500;

describe('the coordinator killed with SIGKILL mid-run', () => {
  it('restarts on the same data dir, workers come back by themselves, every task ends exactly once', async () => {
    const dataDir = tempDir();
    const port = await reservePort();
    const first = await startCoordinatorProcess(dataDir, { port });
    await startWorkerProcess(first, { slots: 4, labels: { n: '1' } });
    await startWorkerProcess(first, { slots: 4, labels: { n: '2' } });

    // Each run prints a nonce, so a second recorded result would show as a different stdout.
    const specs = Array.from({ length: TASKS }, (_, i) => ({
      kind: 'command' as const,
      name: `t${i}`,
      payload: { command: 'sleep 0.02; echo "$$-$(date +%s%N)"', shell: true },
      priority: i % 3,
      group: 'crash',
    }));

    const ended = new EndedTasks();
    const client1 = await DtfClient.connect({ urls: [first.wsUrl], token: first.adminKey });
    await client1.subscribe({ group: 'crash' }, ended.record);
    const ids = await client1.submit(specs);
    expect(new Set(ids).size).toBe(TASKS);
    await ended.waitForCount(50);
    await kill9(first);
    await client1.close().catch(() => {});
    const endedBeforeCrash = ended.count;
    expect(endedBeforeCrash).toBeLessThan(TASKS);

    const second = await startCoordinatorProcess(dataDir, { port });
    const client2 = await DtfClient.connect({ urls: [second.wsUrl], token: second.adminKey });
    const subscription = await client2.subscribe({ group: 'crash' }, ended.record);
    // Every acknowledged task survived the crash.
    expect(subscription.snapshot.map((e) => e.taskId).sort()).toEqual([...ids].sort());
    const final = await client2.waitFor({ group: 'crash' });
    expect(final).toHaveLength(TASKS);
    expect(final.filter((e) => e.state !== 'succeeded')).toEqual([]);

    const tasks = await client2.query({ group: 'crash', limit: 10_000 });
    expect(tasks).toHaveLength(TASKS);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const [taskId, events] of ended.announced) {
      // No task announced as ended twice, and the stored result is the one announced.
      expect(events, taskId).toHaveLength(1);
      const stored = byId.get(taskId)!.result;
      expect(stored?.output).toEqual(events[0]!.result?.output);
    }
    // Workers reconnected on their own: the second coordinator has both back.
    const connected = await fetch(`${second.url}/api/workers`, {
      headers: { authorization: `Bearer ${second.adminKey}` },
    }).then((r) => r.json() as Promise<{ workers: Array<{ status: string }> }>);
    expect(connected.workers.filter((w) => w.status === 'connected')).toHaveLength(2);
    await subscription.close();
    await client2.close();
  });
});
