import { describe, expect, it } from 'vitest';
import { DtfClient, restGet } from '../../client/index.js';
import { buildSampleModel, DEFAULT_TOLERANCES } from '../../models/index.js';
import { RestWorkersResponse } from '../../protocol/index.js';
import { prepareModel } from '../../sharding/run/prepare-model.js';
import type { StageCommit } from '../../sharding/run/run-ledger.js';
import { ShardedRun } from '../../sharding/run/sharded-run.js';
import { kill9 } from '../support/processes.js';
import {
  agreedLeader,
  clusterCredentials,
  firstLeader,
  nextLeader,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import {
  expectOnlyUncommittedWorkRedone,
  expectReferenceOutputs,
  runTasks,
} from '../support/sharded-run-checks.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

/**
 * Enough that most of the run is still ahead when the kill lands: a stage's micro-batches wait
 * on its worker and run back to back.
 */
const MICRO_BATCHES = 24;
/** The leader is killed once stage 1 has committed this many micro-batches. */
const KILL_AFTER_COMMITS = 2;

describe('a sharded run in a 3-member cluster whose leader is killed with SIGKILL mid-run', () => {
  it('completes on the new leader with the reference outputs, nothing committed twice and no worker recovered from', async () => {
    const members = await startRaftCluster(3, ['--heartbeat-misses', '15']);
    await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    await startClusterWorkers(members, workerToken, 3, 1);
    const leader = await agreedLeader(members, adminKey);
    const client = await DtfClient.connect({ urls: members.map((m) => m.wsUrl), token: adminKey });
    const prepared = await prepareModel(buildSampleModel('transformer-block', 1), { stages: 3 });

    const survivors = members.filter((m) => m !== leader);
    const next = nextLeader(survivors);
    next.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    let killed: Promise<void> | undefined;
    const seen: StageCommit[] = [];
    let seenAtKill = 0;
    const onCommit = (commit: StageCommit) => {
      seen.push(commit);
      if (killed !== undefined) return;
      // Killed as the commit is seen: stages have committed, and most of the run is to come.
      if (seen.filter((c) => c.stage === 1).length === KILL_AFTER_COMMITS) {
        killed = kill9(leader);
        seenAtKill = seen.length;
      }
    };
    const lines: string[] = [];
    try {
      const result = await new ShardedRun({
        client,
        token: adminKey,
        prepared,
        backends: ['cpu'],
        microBatches: MICRO_BATCHES,
        recovery: 'immediate',
        run: 'chaos-leader-kill',
        progress: (line) => lines.push(line),
        onCommit,
      }).execute();
      expect(killed, lines.join('\n')).toBeDefined();
      await killed;
      const newLeader = await next;
      expect(client.url).toBe(newLeader.wsUrl);
      // The run was not done when the leader died: the rest committed under the new one.
      expect(seenAtKill).toBeLessThan(MICRO_BATCHES * 3);
      expect(result.commits).toEqual(seen);

      await expectReferenceOutputs(prepared.model, result, DEFAULT_TOLERANCES.cpu);
      const tasks = await runTasks(client, 'chaos-leader-kill');
      const redone = expectOnlyUncommittedWorkRedone(prepared.graph, result, tasks);
      // Workers that only lost their coordinator are waited for, not recovered from: a
      // recovery names only workers the new leader declared dead (when one took too long to
      // come back), and there is none without one.
      const { workers } = RestWorkersResponse.parse(
        await restGet(newLeader.url, '/api/workers', adminKey),
      );
      const dead = workers.filter((w) => w.status === 'dead').map((w) => w.name);
      const recoveredFrom = result.recoveries.flatMap((recovery) => recovery.lostWorkers);
      expect(
        recoveredFrom.filter((name) => !dead.includes(name)),
        lines.join('\n'),
      ).toEqual([]);
      if (dead.length === 0) expect(result.recoveries).toEqual([]);
      const reasons = new Set(tasks.flatMap((task) => task.history.map((h) => h.reason)));
      console.log(
        `leader kill: ${leader.id} killed after ${KILL_AFTER_COMMITS} commits of stage 1, ${newLeader.id} led on; ` +
          `${dead.length} worker(s) declared dead, ${result.recoveries.length} recoveries; ` +
          `${redone.succeeded} stage tasks succeeded, ${redone.lostAttempts} attempts lost (${[...reasons].join(' | ') || 'none'})`,
      );
    } finally {
      await client.close();
    }
  });
});
