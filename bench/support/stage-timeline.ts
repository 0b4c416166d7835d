import type { StageTimings, TaskView } from '../../protocol/index.js';

/** A stage task that committed its outputs, as the coordinator recorded it. */
export interface StageTaskTime {
  stage: number;
  microBatch: number;
  workerId: string;
  /** When the worker said it started, and when its result was recorded (coordinator clock). */
  startedAt: number;
  finishedAt: number;
  /** What the worker measured of the attempt. */
  timings: StageTimings;
}

/** The succeeded shard-stage tasks of `tasks`, in the order they started. */
export function stageTaskTimes(tasks: readonly TaskView[]): StageTaskTime[] {
  return tasks
    .flatMap((task): StageTaskTime[] => {
      const output = task.result?.output;
      if (task.state !== 'succeeded' || task.spec.kind !== 'shard-stage') return [];
      if (output?.kind !== 'shard-stage') return [];
      const { startedAt, finishedAt, workerId } = task;
      if (startedAt === undefined || finishedAt === undefined || workerId === undefined) return [];
      const { stage, microBatch } = task.spec.payload;
      return [{ stage, microBatch, workerId, startedAt, finishedAt, timings: output.timings }];
    })
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** Each task's time from start to end, by stage index. */
export function stageSpans(times: readonly StageTaskTime[]): Map<number, number[]> {
  const spans = new Map<number, number[]>();
  for (const time of times) {
    spans.set(time.stage, [...(spans.get(time.stage) ?? []), time.finishedAt - time.startedAt]);
  }
  return spans;
}

/**
 * The time from the end of the last stage a task reads from to its own start, for each task that
 * reads another stage's outputs (`dependsOn` gives a stage's parents).
 */
export function handOffs(
  times: readonly StageTaskTime[],
  dependsOn: (stage: number) => readonly number[],
): number[] {
  const end = new Map(times.map((t) => [`${t.stage}.${t.microBatch}`, t.finishedAt]));
  return times.flatMap((time) => {
    const parents = dependsOn(time.stage).map((p) => end.get(`${p}.${time.microBatch}`));
    if (parents.length === 0 || parents.some((at) => at === undefined)) return [];
    return [time.startedAt - Math.max(...(parents as number[]))];
  });
}

/**
 * The mean time between two consecutive results of `times` (tasks of one stage on one worker,
 * run back to back): its time per micro-batch at full rate.
 */
export function resultPeriod(times: readonly StageTaskTime[]): number {
  if (times.length < 2) throw new Error('a period needs at least two results');
  const ends = times.map((time) => time.finishedAt).sort((a, b) => a - b);
  return (ends.at(-1)! - ends[0]!) / (ends.length - 1);
}

/**
 * What handing activations from stage `from` to stage `to` cost the two workers, for each
 * micro-batch, as they measured it: the producer's handing over of its outputs (hashed, then
 * encoded into its result or uploaded) plus the consumer's taking of its inputs (decoded from
 * its assignment or fetched, and checked against their hash). The messages' own time on the
 * wire is in the hand-off, not here.
 */
export function transferTimes(
  times: readonly StageTaskTime[],
  cut: { from: number; to: number },
): number[] {
  const upload = new Map(
    times.filter((t) => t.stage === cut.from).map((t) => [t.microBatch, t.timings.uploadMs]),
  );
  return times.flatMap((time) => {
    const uploadMs = time.stage === cut.to ? upload.get(time.microBatch) : undefined;
    return uploadMs === undefined ? [] : [uploadMs + time.timings.inputFetchMs];
  });
}
