import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient, restGet } from '../../client/index.js';
import { buildSampleModel, DEFAULT_TOLERANCES } from '../../models/index.js';
import { StageSpeeds, TERMINAL_STATES } from '../../protocol/index.js';
import { prepareModel } from '../../sharding/run/prepare-model.js';
import { ShardedRun } from '../../sharding/run/sharded-run.js';
import {
  type CoordinatorProcess,
  kill9,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { expectReferenceOutputs } from '../support/sharded-run-checks.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--heartbeat-misses', '25'],
  });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
  for (const name of ['node-a', 'node-b', 'node-c']) {
    await startWorkerProcess(coordinator, { slots: 1, name });
  }
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

describe('a sharded run on Node workers', () => {
  it('runs transformer-stack in 3 stages on 3 workers, its outputs those of the whole model', async () => {
    const model = buildSampleModel('transformer-stack', 1);
    const prepared = await prepareModel(model, { stages: 3 });
    const lines: string[] = [];
    const microBatches = 4;
    const result = await new ShardedRun({
      client,
      token: coordinator.adminKey,
      prepared,
      backends: ['cpu'],
      microBatches,
      recovery: 'immediate',
      progress: (line) => lines.push(line),
    }).execute();

    // Placed by measured speed: every stage's reason cites this run's calibration.
    for (const placement of result.placements) {
      expect(placement.why).toMatch(/ms\/GFLOP over \d+ runs of this worker/);
    }
    expect(result.committedTwice).toBe(0);
    expect(result.figures.lostAttempts).toBe(0);
    await expectReferenceOutputs(model, result, DEFAULT_TOLERANCES.cpu);
    expect(result.figures.stages.map((s) => s.runs)).toEqual([4, 4, 4]);
    // Every worker was measured before placing (calibration), and the history grew by the run.
    const speeds = StageSpeeds.parse(
      await restGet(coordinator.url, '/api/shard/speeds', coordinator.adminKey),
    );
    for (const name of ['node-a', 'node-b', 'node-c']) {
      expect(speeds.byWorker[name]?.cpu?.samples).toBeGreaterThanOrEqual(3);
    }
    expect(lines.some((line) => line.startsWith('measuring 3 worker/backend pair(s)'))).toBe(true);
  });

  it('ends, naming the stages and why, once every worker is dead for the placement bound', async () => {
    const alone = await startCoordinatorProcess(tempDir());
    const worker = await startWorkerProcess(alone, { slots: 1, name: 'node-only' });
    const aloneClient = await DtfClient.connect({ urls: [alone.wsUrl], token: alone.adminKey });
    try {
      const prepared = await prepareModel(buildSampleModel('transformer-block', 1), { stages: 2 });
      let killed: Promise<void> | undefined;
      const run = new ShardedRun({
        client: aloneClient,
        token: alone.adminKey,
        prepared,
        backends: ['cpu'],
        microBatches: 8,
        recovery: 'immediate',
        run: 'all-dead',
        placementBoundMs: 1_500,
        // The only worker dies as the first stage output commits: nothing can take the rest.
        onCommit: () => {
          killed ??= kill9(worker);
        },
      });
      await expect(run.execute()).rejects.toThrow(
        /^recovery from losing node-only failed: no live worker could take the stage for 1500 ms: stages? [\d, ]+ waits? for a live worker: none is connected$/,
      );
      expect(killed).toBeDefined();
      // The run stopped its work: none of its tasks waits on for a worker.
      const tasks = await aloneClient.query({ group: 'all-dead' });
      expect(tasks.filter((task) => !TERMINAL_STATES.has(task.state))).toEqual([]);
      expect(tasks.some((task) => task.state === 'cancelled')).toBe(true);
    } finally {
      await aloneClient.close();
    }
  });

  it('gives up calibrating a worker killed mid-calibration and runs on the workers left', async () => {
    const own = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(own, { slots: 1, name: 'node-stays' });
    const doomed = await startWorkerProcess(own, { slots: 1, name: 'node-dies' });
    const ownClient = await DtfClient.connect({ urls: [own.wsUrl], token: own.adminKey });
    try {
      const run = 'calibration-kill';
      let killed: Promise<void> | undefined;
      // The worker dies as its first calibration run starts: its other runs name it, and
      // would wait for it for good.
      await ownClient.subscribe({ group: `${run}.calibration` }, (events) => {
        if (events.some((e) => e.state === 'running' && e.workerId === doomed.workerId)) {
          killed ??= kill9(doomed);
        }
      });
      const model = buildSampleModel('transformer-block', 1);
      const lines: string[] = [];
      const result = await new ShardedRun({
        client: ownClient,
        token: own.adminKey,
        prepared: await prepareModel(model, { stages: 2 }),
        backends: ['cpu'],
        microBatches: 2,
        recovery: 'immediate',
        run,
        progress: (line) => lines.push(line),
      }).execute();
      expect(killed).toBeDefined();
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^node-dies cannot run stages on cpu: a calibration run lost its attempt: worker \S+ lost: /,
        ),
      );
      expect(result.placements.map((p) => p.workerName)).toEqual(['node-stays', 'node-stays']);
      await expectReferenceOutputs(model, result, DEFAULT_TOLERANCES.cpu);
    } finally {
      await ownClient.close();
    }
  });
});
