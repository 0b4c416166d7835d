/** One stage of a pipeline: where it runs, what it waits for, and its time per micro-batch. */
export interface PipelineStage {
  stage: number;
  /** The worker that runs it: stages on one worker take turns. */
  worker: string;
  /** Stages whose outputs it reads. */
  dependsOn: readonly number[];
  /** From its task's start to its end, per micro-batch. */
  spanMs: number;
}

export interface PipelineTimings {
  stages: readonly PipelineStage[];
  /** From a stage's end to the start of a stage that reads its outputs. */
  handOffMs: number;
  /** From a task's end to the start of the next on the same worker, its inputs ready. */
  gapMs: number;
  microBatches: number;
}

export interface PipelinePrediction {
  makespanMs: number;
  microBatchesPerSecond: number;
  /** Each worker's busy time over the makespan, by worker. */
  busyFractions: Map<string, number>;
}

/**
 * What a pipeline of `microBatches` through `stages` takes when nothing but the pipeline slows a
 * stage down: the first micro-batch crosses the stages' critical path (each stage's span, plus a
 * hand-off after each it waits for), then one more leaves every period, the busiest worker's
 * time per micro-batch (the spans of its stages, each with a gap before the next task):
 *
 *   makespan = critical path + (microBatches − 1) × max over workers Σ (spanMs + gapMs)
 *
 * For one stage this is microBatches × spanMs + (microBatches − 1) × gapMs, which is how the
 * wall time of a run on one worker splits.
 */
export function predictPipeline(timings: PipelineTimings): PipelinePrediction {
  const { stages, handOffMs, gapMs, microBatches } = timings;
  if (stages.length === 0 || microBatches < 1) {
    throw new Error('a pipeline prediction needs at least one stage and one micro-batch');
  }
  const byIndex = new Map(stages.map((stage) => [stage.stage, stage]));
  const finish = new Map<number, number>();
  const finishOf = (stage: PipelineStage): number => {
    const known = finish.get(stage.stage);
    if (known !== undefined) return known;
    const ready = stage.dependsOn.reduce((latest, index) => {
      const parent = byIndex.get(index);
      if (parent === undefined)
        throw new Error(`stage ${stage.stage} reads missing stage ${index}`);
      return Math.max(latest, finishOf(parent) + handOffMs);
    }, 0);
    const end = ready + stage.spanMs;
    finish.set(stage.stage, end);
    return end;
  };
  const criticalPathMs = Math.max(...stages.map(finishOf));
  const load = new Map<string, { periodMs: number; busyMs: number }>();
  for (const stage of stages) {
    const worker = load.get(stage.worker) ?? { periodMs: 0, busyMs: 0 };
    worker.periodMs += stage.spanMs + gapMs;
    worker.busyMs += stage.spanMs;
    load.set(stage.worker, worker);
  }
  const periodMs = Math.max(...[...load.values()].map((worker) => worker.periodMs));
  const makespanMs = criticalPathMs + (microBatches - 1) * periodMs;
  const busyFractions = new Map(
    [...load.entries()].map(([worker, { busyMs }]) => [
      worker,
      (microBatches * busyMs) / makespanMs,
    ]),
  );
  return { makespanMs, microBatchesPerSecond: (microBatches * 1000) / makespanMs, busyFractions };
}
