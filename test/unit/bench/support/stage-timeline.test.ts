import { describe, expect, it } from 'vitest';
import {
  handOffs,
  resultPeriod,
  type StageTaskTime,
  stageSpans,
  stageTaskTimes,
  transferTimes,
} from '../../../../bench/support/stage-timeline.js';
import { TaskSpec, type TaskView } from '../../../../protocol/index.js';
import { taskView } from '../../../support/fixtures.js';

const REF = `sha256:${'a'.repeat(64)}`;

function time(
  stage: number,
  microBatch: number,
  workerId: string,
  startedAt: number,
  finishedAt: number,
  io: { inputFetchMs?: number; uploadMs?: number } = {},
): StageTaskTime {
  const timings = {
    modelFetchMs: 0,
    inputFetchMs: io.inputFetchMs ?? 0,
    sessionCreateMs: 0,
    sessionReused: true,
    runMs: 1,
    uploadMs: io.uploadMs ?? 0,
  };
  return { stage, microBatch, workerId, startedAt, finishedAt, timings };
}

/** A pipeline of two stages on workers a and b over two micro-batches. */
const PIPELINE = [
  time(0, 0, 'a', 0, 10, { uploadMs: 3 }),
  time(0, 1, 'a', 12, 22, { uploadMs: 4 }),
  time(1, 0, 'b', 15, 30, { inputFetchMs: 2 }),
  time(1, 1, 'b', 33, 50, { inputFetchMs: 5 }),
];

function stageView(stage: number, overrides: Partial<TaskView>): TaskView {
  const output = {
    kind: 'shard-stage' as const,
    executionProvider: 'wasm' as const,
    runtime: 'onnxruntime-web 1.0.0',
    timings: PIPELINE[0]!.timings,
    outputs: {},
  };
  return taskView({
    kind: 'shard-stage',
    startedAt: 5,
    finishedAt: 9,
    result: { status: 'succeeded', durationMs: 4, output },
    spec: TaskSpec.parse({
      kind: 'shard-stage',
      payload: {
        run: 'r',
        stage,
        microBatch: 3,
        model: REF,
        executionProvider: 'wasm',
        inputs: {},
        outputs: [{ name: 'y', type: 'float32', dims: [1] }],
      },
    }),
    ...overrides,
  });
}

describe('the timeline of a sharded run', () => {
  it('keeps the stage tasks that committed, with their times, in the order they started', () => {
    const times = stageTaskTimes([
      stageView(1, { id: 'late', startedAt: 20, finishedAt: 25 }),
      stageView(0, { id: 'early' }),
      stageView(0, { id: 'lost', state: 'queued', startedAt: undefined, result: undefined }),
      taskView({ id: 'a command' }),
    ]);
    expect(times.map((t) => [t.stage, t.microBatch, t.startedAt, t.finishedAt])).toEqual([
      [0, 3, 5, 9],
      [1, 3, 20, 25],
    ]);
  });

  it('measures spans by stage, hand-offs to the stage that reads, and the period of results', () => {
    expect(stageSpans(PIPELINE)).toEqual(
      new Map([
        [0, [10, 10]],
        [1, [15, 17]],
      ]),
    );
    expect(handOffs(PIPELINE, (stage) => (stage === 1 ? [0] : []))).toEqual([5, 11]);
    expect(resultPeriod(PIPELINE.filter((time) => time.stage === 1))).toBe(20);
    expect(resultPeriod([...PIPELINE].reverse())).toBe(40 / 3);
    expect(() => resultPeriod(PIPELINE.slice(0, 1))).toThrow(/at least two results/);
  });

  it('times a hand-off of activations as the producer’s upload plus the consumer’s fetch', () => {
    expect(transferTimes(PIPELINE, { from: 0, to: 1 })).toEqual([5, 9]);
    expect(transferTimes(PIPELINE.slice(2), { from: 0, to: 1 })).toEqual([]);
  });
});
