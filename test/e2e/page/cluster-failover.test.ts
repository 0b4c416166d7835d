import { afterAll, describe, expect, it, vi } from 'vitest';
import { DtfClient, workerPageUrl } from '../../../client/index.js';
import { kill9 } from '../../support/processes.js';
import {
  clusterCredentials,
  firstLeader,
  type Member,
  nextLeader,
  startRaftCluster,
} from '../../support/raft-cluster.js';
import { getJson } from '../../support/rest.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { type LaunchedBrowser, launchBrowser } from './browsers.js';
import { doublingTask, type WorkerView } from './page-worker.js';

cleanUpAfterAll();

let browser: LaunchedBrowser | undefined;
afterAll(async () => {
  await browser?.close();
});

/** The live browser workers the cluster's leader knows, asked through `member`. */
async function browserWorkers(member: Member, adminKey: string): Promise<WorkerView[]> {
  const { workers } = await getJson<{ workers: WorkerView[] }>(
    member.url,
    '/api/workers',
    adminKey,
  );
  return workers.filter((w) => w.capabilities.kind === 'browser' && w.status !== 'dead');
}

describe('the worker page of a Raft cluster', () => {
  it('opened at a follower, works for the leader, and moves to the next leader when it dies', async () => {
    // No attempt may be lost, so the page may not be taken for dead: on a busy machine a browser
    // can miss the default 600 ms without being gone.
    const members = await startRaftCluster(3, ['--heartbeat-misses', '25']);
    const leader = await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    const follower = members.find((m) => m !== leader)!;
    browser = await launchBrowser('chromium');
    const page = await browser.browser.newPage();
    const urls = members.map((m) => m.wsUrl);
    await page.goto(workerPageUrl(follower.url, workerToken, urls));
    // The follower answered its page with the leader's.
    expect(new URL(page.url()).origin).toBe(leader.url);
    const [registered] = await vi.waitFor(
      async () => {
        const found = await browserWorkers(leader, adminKey);
        if (found.length === 0) throw new Error('the page has not registered yet');
        return found;
      },
      { timeout: 60_000, interval: 200 },
    );

    const survivors = members.filter((m) => m !== leader);
    const next = nextLeader(survivors);
    await kill9(leader);
    const newLeader = await next;
    const client = await DtfClient.connect({ urls, token: adminKey });
    try {
      // The only browser worker, submitted as soon as the new leader is elected: the leader
      // knows the worker from the replicated state, but places the task only once the page has
      // registered with it. Without a retry, an attempt lost to the move would fail the task.
      const taskIds = await client.submit([{ ...doublingTask(), retry: { maxRetries: 0 } }]);
      await client.waitFor({ taskIds });
      const [task] = await client.query({ taskIds });
      expect(task?.state, JSON.stringify(task)).toBe('succeeded');
      expect(task?.history).toEqual([]);
      // The same worker: the page kept its id across the move.
      expect(task?.workerId).toBe(registered!.id);
      expect(client.url).toBe(newLeader.wsUrl);
    } finally {
      await client.close();
    }
  });
});
