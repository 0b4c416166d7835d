/** One stage of a pipeline: where it runs, what it waits for, and its times per micro-batch. */
export interface PipelineStage {
  stage: number;
  /** The worker that runs it: stages on one worker take turns. */
  worker: string;
  /** Stages whose outputs it reads. */
  dependsOn: readonly number[];
  /** From its task's start to its end, for a micro-batch that finds the worker idle. */
  spanMs: number;
  /**
   * Between two of its results when it runs back to back at full rate, its inputs ready (the
   * next micro-batch waiting on the worker): its time per micro-batch in a full pipeline,
   * every overhead that does not overlap with the next run included.
   */
  periodMs: number;
}

export interface PipelineTimings {
  stages: readonly PipelineStage[];
  /** From a stage's end to the start of a stage that reads its outputs. */
  handOffMs: number;
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
 * hand-off after each it waits for), then one more leaves every period of the busiest worker
 * (the periods of its stages, which take turns on it):
 *
 *   makespan = critical path + (microBatches − 1) × max over workers Σ periodMs
 *
 * For one stage this is spanMs + (microBatches − 1) × periodMs, which is how the wall time of a
 * run of independent micro-batches on one worker splits.
 */
export function predictPipeline(timings: PipelineTimings): PipelinePrediction {
  const { stages, handOffMs, microBatches } = timings;
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
  const periods = new Map<string, number>();
  for (const stage of stages) {
    periods.set(stage.worker, (periods.get(stage.worker) ?? 0) + stage.periodMs);
  }
  const periodMs = Math.max(...periods.values());
  const makespanMs = criticalPathMs + (microBatches - 1) * periodMs;
  const busyFractions = new Map(
    [...periods.entries()].map(([worker, busyMs]) => [
      worker,
      Math.min(1, (microBatches * busyMs) / makespanMs),
    ]),
  );
  return { makespanMs, microBatchesPerSecond: (microBatches * 1000) / makespanMs, busyFractions };
}
