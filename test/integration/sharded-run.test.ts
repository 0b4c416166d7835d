import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient, restGet } from '../../client/index.js';
import {
  buildSampleModel,
  compareOutputs,
  DEFAULT_TOLERANCES,
  referenceOutputs,
} from '../../models/index.js';
import { StageSpeeds } from '../../protocol/index.js';
import { microBatchInputs } from '../../sharding/run/micro-batch-input.js';
import { prepareModel } from '../../sharding/run/prepare-model.js';
import { ShardedRun } from '../../sharding/run/sharded-run.js';
import {
  type CoordinatorProcess,
  kill9,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
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
    for (let b = 0; b < microBatches; b++) {
      const reference = await referenceOutputs({
        bytes: model.bytes,
        inputs: microBatchInputs(model.inputs, b),
      });
      const summaries = Object.fromEntries(
        Object.entries(result.outputs[b]!).map(([name, activation]) => [name, activation.summary]),
      );
      const comparison = compareOutputs(reference, summaries, DEFAULT_TOLERANCES.cpu);
      expect(comparison.problems).toEqual([]);
    }
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
    } finally {
      await aloneClient.close();
    }
  });
});
