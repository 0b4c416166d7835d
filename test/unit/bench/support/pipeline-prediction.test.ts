import { describe, expect, it } from 'vitest';
import { predictPipeline } from '../../../../bench/support/pipeline-prediction.js';

const chain = (
  times: Array<[spanMs: number, periodMs: number]>,
  workers = times.map((_, i) => `w${i}`),
) =>
  times.map(([spanMs, periodMs], stage) => ({
    stage,
    worker: workers[stage]!,
    dependsOn: stage === 0 ? [] : [stage - 1],
    spanMs,
    periodMs,
  }));

describe('predictPipeline', () => {
  it('splits one worker’s run as its wall time splits: the first span, then a period each', () => {
    const prediction = predictPipeline({
      stages: chain([[30, 35]]),
      handOffMs: 7,
      microBatches: 10,
    });
    expect(prediction.makespanMs).toBe(30 + 9 * 35);
    expect(prediction.microBatchesPerSecond).toBeCloseTo(10_000 / 345, 9);
    expect(prediction.busyFractions.get('w0')).toBe(1);
  });

  it('fills the pipeline once, then runs at the pace of its slowest stage', () => {
    const prediction = predictPipeline({
      stages: chain([
        [10, 8],
        [20, 22],
        [15, 12],
      ]),
      handOffMs: 3,
      microBatches: 8,
    });
    // The first micro-batch crosses every stage and two hand-offs; then one every 22 ms.
    const makespan = 10 + 3 + 20 + 3 + 15 + 7 * 22;
    expect(prediction.makespanMs).toBe(makespan);
    expect(prediction.busyFractions.get('w1')).toBeCloseTo((8 * 22) / makespan, 9);
    expect(prediction.busyFractions.get('w0')).toBeCloseTo((8 * 8) / makespan, 9);
  });

  it('lets two stages on one worker take turns: its period is both of them', () => {
    const prediction = predictPipeline({
      stages: chain(
        [
          [10, 11],
          [10, 11],
          [10, 11],
        ],
        ['a', 'b', 'a'],
      ),
      handOffMs: 0,
      microBatches: 4,
    });
    expect(prediction.makespanMs).toBe(30 + 3 * 22);
    expect([...prediction.busyFractions.keys()].sort()).toEqual(['a', 'b']);
  });

  it('starts a join after the later of the branches it reads', () => {
    const prediction = predictPipeline({
      stages: [
        { stage: 0, worker: 'a', dependsOn: [], spanMs: 40, periodMs: 40 },
        { stage: 1, worker: 'b', dependsOn: [], spanMs: 10, periodMs: 10 },
        { stage: 2, worker: 'c', dependsOn: [0, 1], spanMs: 5, periodMs: 5 },
      ],
      handOffMs: 2,
      microBatches: 1,
    });
    expect(prediction.makespanMs).toBe(40 + 2 + 5);
  });

  it('refuses a pipeline without stages or micro-batches, and a stage reading no stage there is', () => {
    const timings = { handOffMs: 0 };
    expect(() => predictPipeline({ ...timings, stages: [], microBatches: 1 })).toThrow(
      /at least one stage/,
    );
    expect(() => predictPipeline({ ...timings, stages: chain([[1, 1]]), microBatches: 0 })).toThrow(
      /one micro-batch/,
    );
    expect(() =>
      predictPipeline({
        ...timings,
        stages: [{ stage: 1, worker: 'a', dependsOn: [0], spanMs: 1, periodMs: 1 }],
        microBatches: 1,
      }),
    ).toThrow(/stage 1 reads missing stage 0/);
  });
});
