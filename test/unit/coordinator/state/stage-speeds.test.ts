import { describe, expect, it } from 'vitest';
import {
  decodeStateSnapshot,
  encodeStateSnapshot,
} from '../../../../coordinator/cluster/state-snapshot.js';
import { stageSpeedsView } from '../../../../coordinator/state/index.js';
import { type ShardStageOutput, type TaskResult, TaskSpec } from '../../../../protocol/index.js';
import { browserCapabilities, Harness, nodeCapabilities } from '../../../support/fixtures.js';

const MODEL = `sha256:${'a'.repeat(64)}`;

function stageSpec() {
  return TaskSpec.parse({
    kind: 'shard-stage',
    payload: {
      run: 'r',
      stage: 0,
      microBatch: 0,
      model: MODEL,
      executionProvider: 'wasm',
      costFlops: 2e9,
      inputs: { x: { from: 'value', tensor: { dims: [1, 4], seed: 1 } } },
      outputs: [{ name: 'y', type: 'float32', dims: [1, 4] }],
    },
  });
}

function result(runMs: number, sessionReused: boolean): TaskResult {
  const output: ShardStageOutput = {
    kind: 'shard-stage',
    executionProvider: 'wasm',
    runtime: 'onnxruntime-web 1.30.0',
    costFlops: 2e9,
    timings: {
      modelFetchMs: 0,
      inputFetchMs: 0,
      sessionCreateMs: 0,
      sessionReused,
      runMs,
      uploadMs: 0,
    },
    outputs: {},
  };
  return { status: 'succeeded', durationMs: runMs, output };
}

/** Runs one stage task on `worker` and has it report `runMs`. */
function runStage(h: Harness, workerId: string, runMs: number, sessionReused = true): void {
  const [id] = h.submit(stageSpec());
  h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: id!, workerId }] });
  h.report(id!, result(runMs, sessionReused));
}

describe('stage speed history', () => {
  it('keeps the median ms per GFLOP of warm runs, per worker name and per browser', () => {
    const h = new Harness();
    h.register('w1', { capabilities: browserCapabilities('chromium') });
    for (const ms of [20, 1_000, 22, 24, 21]) runStage(h, 'w1', ms);
    // The first run of a session pays for its set-up: it is left out.
    runStage(h, 'w1', 5_000, false);
    const view = stageSpeedsView(h.state);
    expect(view.byWorker.w1?.wasm).toEqual({ msPerGflop: 11, samples: 5 });
    expect(view.byBrowser.chromium?.wasm).toEqual({ msPerGflop: 11, samples: 5 });
  });

  it('forgets the oldest runs, and folds Node workers under `node`', () => {
    const h = new Harness();
    h.register('n1', { capabilities: nodeCapabilities({ taskKinds: ['shard-stage'] }) });
    for (let i = 0; i < 9; i++) runStage(h, 'n1', 100);
    for (let i = 0; i < 9; i++) runStage(h, 'n1', 10);
    expect(stageSpeedsView(h.state).byBrowser.node?.wasm).toEqual({ msPerGflop: 5, samples: 18 });
  });

  it('survives a snapshot', async () => {
    const h = new Harness();
    h.register('w1', { capabilities: browserCapabilities('firefox') });
    runStage(h, 'w1', 40);
    const restored = decodeStateSnapshot(await encodeStateSnapshot(h.state), h.state.config);
    expect(stageSpeedsView(restored)).toEqual(stageSpeedsView(h.state));
    expect(stageSpeedsView(restored).byWorker.w1?.wasm).toEqual({ msPerGflop: 20, samples: 1 });
  });
});
