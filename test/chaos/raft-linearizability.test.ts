import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { seededRandom } from '../../tensors/index.js';
import { chaosSeed } from '../support/chaos.js';
import {
  checkLinearizability,
  describeOperation,
  type History,
  type TaskQueueInput,
  type TaskQueueOutput,
  taskQueueModel,
} from '../support/linearizability/index.js';
import { kill9 } from '../support/processes.js';
import {
  agreedLeader,
  clusterCredentials,
  firstLeader,
  nextLeader,
  restartMember,
  startClusterWorkers,
  startRaftCluster,
  waitUntilCaughtUp,
} from '../support/raft-cluster.js';
import { RecordedTaskQueue } from '../support/recorded-task-queue.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

const CLIENTS = 6;
/** Kills, alternating: the leader, then a follower. */
const KILLS = 6;
/** Acknowledged submits between two kills. */
const SUBMITS_PER_ROUND = 25;
/** A client that got no answer waits this long before its next request (its retry backoff). */
const BACKOFF_MS = 20;

type TaskHistory = History<TaskQueueInput, TaskQueueOutput>;

function check(history: TaskHistory) {
  const started = performance.now();
  const result = checkLinearizability(taskQueueModel, history);
  return { result, ms: Math.round(performance.now() - started) };
}

describe('a 3-member Raft cluster whose leaders and followers are killed with SIGKILL', () => {
  // Six rounds of kill, election, restart and catch-up: a few seconds each on a quiet machine,
  // about 20 s with a CPU hog on each core. The limit only catches a hang.
  it('answers its clients linearizably: no acknowledged submit lost, one result per task, no read going back', async () => {
    const random = seededRandom(chaosSeed('raft-linearizability'));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const members = await startRaftCluster(3);
    await firstLeader(members);
    const { adminKey, workerToken } = await clusterCredentials(members);
    await startClusterWorkers(members, workerToken, 2);
    const urls = members.map((m) => m.url);
    const queue = new RecordedTaskQueue({
      token: adminKey,
      group: 'lin',
      // Each run prints a nonce: a second recorded result would read differently.
      spec: () => ({
        kind: 'command',
        payload: { command: 'sleep 0.02; echo "$$-$(date +%s%N)"', shell: true },
      }),
    });

    // Until all tasks are seen ended, each client submits (retrying a key until it is
    // acknowledged), reads tasks (recent ones more often) and lists the group, at random
    // members; after the kills it only reads what has not been seen ended.
    let submitting = true;
    let reading = true;
    // Should the test fail early, its clients stop rather than retry against killed members.
    onTestFinished(() => {
      reading = false;
    });
    const submitUntilAcknowledged = async (client: string, key: string) => {
      while (reading && !(await queue.submit(client, pick(urls), key))) await delay(BACKOFF_MS);
    };
    const runClient = async (client: string) => {
      for (let n = 0; reading; ) {
        const keys = submitting ? queue.acknowledged() : queue.unfinished();
        const choice = random();
        let answered = true;
        if (submitting && (choice < 0.3 || keys.length === 0)) {
          await submitUntilAcknowledged(client, `${client}-${n++}`);
        } else if (choice < 0.92 && keys.length > 0) {
          const recent = keys.slice(-10);
          answered = await queue.read(client, pick(urls), pick(random() < 0.5 ? recent : keys));
        } else {
          answered = await queue.readList(client, pick(urls));
        }
        if (!answered) await delay(BACKOFF_MS);
      }
    };
    const clients = Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => runClient(`client${i + 1}`)),
    );
    // A client's error fails the test at once, whatever the test is waiting for.
    const orClientFailure = <T>(step: Promise<T>) => Promise.race([step, clients.then(() => step)]);

    const started = Date.now();
    let staleProbe: { key: string; seen: unknown } | undefined;
    for (let round = 0; round < KILLS; round++) {
      await orClientFailure(
        queue.waitForAcknowledged(queue.acknowledged().length + SUBMITS_PER_ROUND),
      );
      const leader = await agreedLeader(members, adminKey);
      const killLeader = round % 2 === 0;
      const victim = killLeader ? leader : pick(members.filter((m) => m !== leader));
      const survivors = members.filter((m) => m !== victim);
      const elected = killLeader ? nextLeader(survivors) : Promise.resolve(leader);
      await kill9(victim);
      const current = await elected;
      if (!killLeader && staleProbe === undefined) {
        // A real stale source for the check that must fail: the dead follower's database
        // cannot hold a task first submitted after it died.
        const key = 'stale-probe';
        await orClientFailure(submitUntilAcknowledged('prober', key));
        staleProbe = { key, seen: queue.readDatabase('stale-reader', victim.dataDir, key) };
      }
      const back = await restartMember(victim);
      members[members.indexOf(victim)] = back;
      await orClientFailure(waitUntilCaughtUp(back, current, adminKey));
      console.log(
        `round ${round + 1}: killed ${killLeader ? 'leader' : 'follower'} ${victim.id}, ` +
          `leader now ${current.id}, ${queue.acknowledged().length} tasks acknowledged, ` +
          `${Date.now() - started} ms`,
      );
    }
    submitting = false;
    // Hundreds of tasks may still be queued after the last kill: minutes on a busy machine.
    await orClientFailure(queue.waitForAllEnded(300_000));
    reading = false;
    await clients;
    // The last word: every member's answer once everything has ended.
    for (const url of urls) expect(await queue.readList('final', url)).toBe(true);

    const history = queue.history();
    const { result, ms } = check(history);
    const ops = (kind: TaskQueueInput['op']) => history.filter((op) => op.input.op === kind);
    const open = history.filter((op) => op.return === undefined).length;
    console.log(
      `history: ${history.length} operations (${ops('submit').length} submits, ` +
        `${ops('read').length} reads, ${ops('complete').length} results; ${open} never answered) ` +
        `over ${queue.acknowledged().length} tasks; checked in ${ms} ms, ` +
        `${result.stats.steps} steps: ${result.verdict}`,
    );
    expect(
      result.verdict,
      result.verdict === 'violation'
        ? result.explanation.message
        : result.verdict === 'unknown'
          ? result.reason
          : '',
    ).toBe('linearizable');
    // Every task ended once, with one result every read agrees on, and succeeded.
    for (const key of queue.acknowledged()) {
      const results = queue.resultsOf(key);
      expect(results, key).toHaveLength(1);
      expect(results[0]!.result, key).toMatch(/^succeeded /);
    }

    // The same history with one read answered by the dead follower's database is caught.
    expect(staleProbe?.seen).toEqual({ state: 'unknown' });
    const stale = queue.staleHistory();
    const withStale = check([...history, ...stale]).result;
    expect(withStale.verdict).toBe('violation');
    if (withStale.verdict !== 'violation') return;
    expect(withStale.explanation.unplaced).toContainEqual({
      operation: stale[0],
      reason: 'rejected',
    });
    console.log(
      `with ${describeOperation(taskQueueModel, stale[0]!)} added:\n${withStale.explanation.message}`,
    );
  }, 600_000);
});
