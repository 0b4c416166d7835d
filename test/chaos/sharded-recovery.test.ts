import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pool, startPool } from '../../browser-worker/pool/index.js';
import { workerLostReporter } from '../../cli/worker-lost-reporter.js';
import { DtfClient, workerPageUrl } from '../../client/index.js';
import { buildSampleModel, DEFAULT_TOLERANCES } from '../../models/index.js';
import { type PreparedModel, prepareModel } from '../../sharding/run/prepare-model.js';
import type { RecoveryStrategy } from '../../sharding/run/recovery.js';
import type { StageCommit } from '../../sharding/run/run-ledger.js';
import { ShardedRun } from '../../sharding/run/sharded-run.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import {
  expectOnlyUncommittedWorkRedone,
  expectReferenceOutputs,
  runTasks,
} from '../support/sharded-run-checks.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';
import { Waiters } from '../support/waiters.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));

const BROWSERS = 3;
const STAGES = 3;
/**
 * Enough that the middle stage still has most of its work ahead when the kill lands: its
 * micro-batches wait on its worker and run back to back in under a millisecond of inference
 * each, so a short run could be over between the commit that triggers the kill and the kill.
 */
const MICRO_BATCHES = 24;
/** The victim holds the middle stage, killed once it has committed this many micro-batches. */
const KILL_AFTER_COMMITS = 2;

let coordinator: CoordinatorProcess;
let pool: Pool;
let client: DtfClient;
let prepared: PreparedModel;
const poolEvents = new Waiters();

/** Resolves once every member of the pool has a page registered as a worker. */
async function poolReady(): Promise<void> {
  await poolEvents.waitFor(
    () =>
      pool.members().every((m) => m.status === 'ready' && m.workerId !== undefined) || undefined,
    60_000,
    () => new Error(`the pool is not ready: ${JSON.stringify(pool.members())}`),
  );
}

beforeAll(async () => {
  // The pool reports a dead browser at once; a wide heartbeat allowance keeps three browsers
  // starved of CPU on a busy machine from being taken for dead as well.
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--heartbeat-misses', '25'],
  });
  pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count: BROWSERS }],
    driver: 'puppeteer',
    logger,
    onProgress: () => poolEvents.notify(),
    onWorkerLost: workerLostReporter([coordinator.url], coordinator.workerToken, logger),
  });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
  prepared = await prepareModel(buildSampleModel('transformer-block', 1), { stages: STAGES });
  await pool.ready;
});
afterAll(async () => {
  await client?.close();
  await pool?.stop();
});

describe('a sharded run over a pool of Chromium browsers, one killed with SIGKILL mid-run', () => {
  it.each<RecoveryStrategy>(['immediate', 'progressive', 'coordinated'])(
    '%s: completes with the reference outputs, redoing only uncommitted stage work',
    async (strategy) => {
      await poolReady();
      const run = `chaos-${strategy}`;
      let victim: { workerId: string; member: string; killedAt: number } | undefined;
      const middle: StageCommit[] = [];
      const onCommit = (commit: StageCommit) => {
        if (commit.generation !== 0 || commit.stage !== 1 || victim !== undefined) return;
        middle.push(commit);
        if (middle.length < KILL_AFTER_COMMITS) return;
        // Killed as the commit is seen: its stage has committed micro-batches and has more to run.
        const member = pool.members().find((m) => m.workerId === commit.workerId)!;
        process.kill(member.pid!, 'SIGKILL');
        victim = { workerId: commit.workerId!, member: member.name, killedAt: Date.now() };
      };
      const lines: string[] = [];
      const result = await new ShardedRun({
        client,
        token: coordinator.adminKey,
        prepared,
        backends: ['wasm'],
        microBatches: MICRO_BATCHES,
        recovery: strategy,
        run,
        // Long enough for a free worker to turn up: the pool's relaunched browser, or one whose
        // stages have no work left.
        waitBoundMs: 30_000,
        progress: (line) => lines.push(line),
        onCommit,
      }).execute();

      expect(victim, lines.join('\n')).toBeDefined();
      const killedName = result.placements.find((p) => p.workerId === victim!.workerId)!.workerName;
      // The pool saw its browser die and launched another in its place, a new worker.
      await poolEvents.waitFor(
        () =>
          pool
            .members()
            .find(
              (m) =>
                m.name === victim!.member &&
                m.status === 'ready' &&
                m.workerId !== undefined &&
                m.workerId !== victim!.workerId,
            ),
        60_000,
        () => new Error(`${victim!.member} was not relaunched: ${JSON.stringify(pool.members())}`),
      );

      await expectReferenceOutputs(prepared.model, result, DEFAULT_TOLERANCES.wasm);
      const tasks = await runTasks(client, run);
      const redone = expectOnlyUncommittedWorkRedone(prepared.graph, result, tasks);

      // The loss was recovered from, by this run's strategy, and the run went on.
      expect(result.recoveries.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
      const [recovery] = result.recoveries;
      expect(recovery!.lostWorkers).toEqual([killedName]);
      expect(recovery!.strategy).toBe(strategy);
      expect(recovery!.resumedAfterMs).toBeGreaterThanOrEqual(0);
      // The victim may have held a second stage beside the middle one.
      const moved = recovery!.actions.every((action) => /^stage \d+ moved to /.test(action));
      if (strategy === 'immediate') expect(moved, recovery!.actions.join('; ')).toBe(true);
      if (strategy === 'coordinated') expect(result.plans.length).toBeGreaterThan(1);
      // Only the killed worker lost attempts: nothing else was disturbed.
      const lostOn = tasks.flatMap((task) => task.history.map((h) => h.workerId));
      expect(lostOn.filter((workerId) => workerId !== victim!.workerId)).toEqual([]);
      // What the victim committed before it died stands: committed once, by the victim.
      for (const commit of middle) {
        expect(
          result.commits.filter(
            (c) => c.microBatch === commit.microBatch && c.stage === 1 && c.generation === 0,
          ),
        ).toEqual([commit]);
      }

      const resumedAt = recovery!.at + recovery!.resumedAfterMs!;
      console.log(
        `${strategy}: killed ${killedName} after ${KILL_AFTER_COMMITS} commits of stage 1; ` +
          `${recovery!.actions.join('; ')}; the recovered work first committed ` +
          `${recovery!.resumedAfterMs} ms after the loss was seen, ${resumedAt - victim!.killedAt} ms after the kill; ` +
          `${result.plans.length} plan(s), ${redone.succeeded} stage tasks succeeded, ` +
          `${redone.lostAttempts} attempts lost, ${redone.withdrawnAttempts} withdrawn`,
      );
    },
  );
});
