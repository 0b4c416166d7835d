import type { ShardStageOutput, TaskView } from '../../protocol/index.js';

/** One stage's work over the micro-batches it ran. */
export interface StageFigures {
  generation: number;
  stage: number;
  workers: string[];
  backend: string;
  runs: number;
  /** Inference alone, per micro-batch. */
  meanRunMs: number;
  /** The whole attempt: fetching the model and inputs, the session, inference and upload. */
  meanTaskMs: number;
  sessionReused: number;
}

export interface WorkerFigures {
  worker: string;
  /** The part of the run's wall time the worker spent on stage attempts. */
  busyFraction: number;
  /** Gaps between consecutive stage attempts longer than `STALL_MS`, and their total. */
  stalls: number;
  stalledMs: number;
}

export interface PipelineFigures {
  wallMs: number;
  microBatchesPerSecond: number;
  /** Activation bytes workers committed (inside their results or uploaded), and read as inputs of later stages. */
  bytesUploaded: number;
  bytesFetched: number;
  /** 1 − the workers' mean busy fraction: the pipeline's idle share. */
  bubbleFraction: number;
  stages: StageFigures[];
  workers: WorkerFigures[];
  /** Attempts that ended without committing (their worker was lost, say): work done again. */
  lostAttempts: number;
  /**
   * Attempts under way when a re-plan cancelled their tasks: work done again too, under the new
   * plan. With `lostAttempts`, the only work a recovery redoes: neither ever committed.
   */
  withdrawnAttempts: number;
}

/** A worker idle this long between two of its stage attempts counts a stall. */
export const STALL_MS = 50;

function outputOf(task: TaskView): ShardStageOutput | undefined {
  const output = task.result?.output;
  return output?.kind === 'shard-stage' ? output : undefined;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/** Where the run placed a task: its plan, and the bytes of activations it reads. */
export interface TaskPlace {
  generation: number;
  activationInputBytes: number;
}

/**
 * The run's figures from its stage tasks as the coordinator recorded them. `place` says which
 * plan a task belongs to; `workerName` turns ids into names.
 */
export function pipelineFigures(
  tasks: readonly TaskView[],
  place: (taskId: string) => TaskPlace,
  workerName: (workerId: string) => string,
): PipelineFigures {
  const done = tasks.filter((task) => task.state === 'succeeded' && outputOf(task) !== undefined);
  const starts = done.map((task) => task.startedAt ?? task.finishedAt!);
  const ends = done.map((task) => task.finishedAt!);
  const wallMs = done.length === 0 ? 0 : Math.max(...ends) - Math.min(...starts);
  const microBatches = new Set(
    done.map((task) => (task.spec.kind === 'shard-stage' ? task.spec.payload.microBatch : -1)),
  );
  const byStage = groupBy(
    done.filter((task) => task.spec.kind === 'shard-stage'),
    (task) =>
      `${place(task.id).generation}.${task.spec.kind === 'shard-stage' ? task.spec.payload.stage : -1}`,
  );
  const stages = [...byStage.entries()].map(([key, group]): StageFigures => {
    const [generation, stage] = key.split('.').map(Number) as [number, number];
    const outputs = group.map((task) => outputOf(task)!);
    return {
      generation,
      stage,
      workers: [...new Set(group.map((task) => workerName(task.workerId ?? '?')))],
      backend: outputs[0]!.executionProvider,
      runs: group.length,
      meanRunMs: mean(outputs.map((output) => output.timings.runMs)),
      meanTaskMs: mean(group.map((task) => task.result!.durationMs)),
      sessionReused: outputs.filter((output) => output.timings.sessionReused).length,
    };
  });
  stages.sort((a, b) => a.generation - b.generation || a.stage - b.stage);
  const byWorker = groupBy(done, (task) => task.workerId ?? '?');
  const workers = [...byWorker.entries()].map(([workerId, group]): WorkerFigures => {
    const timeline = group
      .map((task) => ({ start: task.startedAt ?? task.finishedAt!, end: task.finishedAt! }))
      .sort((a, b) => a.start - b.start);
    let stalls = 0;
    let stalledMs = 0;
    for (let i = 1; i < timeline.length; i++) {
      const gap = timeline[i]!.start - timeline[i - 1]!.end;
      if (gap > STALL_MS) {
        stalls++;
        stalledMs += gap;
      }
    }
    const busy = timeline.reduce((sum, span) => sum + (span.end - span.start), 0);
    return {
      worker: workerName(workerId),
      busyFraction: wallMs === 0 ? 0 : Math.min(1, busy / wallMs),
      stalls,
      stalledMs,
    };
  });
  const outputs = done.map((task) => outputOf(task)!);
  const bytesUploaded = outputs.reduce(
    (sum, output) => sum + Object.values(output.outputs).reduce((s, a) => s + a.bytes, 0),
    0,
  );
  const bytesFetched = done.reduce((sum, task) => sum + place(task.id).activationInputBytes, 0);
  return {
    wallMs,
    microBatchesPerSecond: wallMs === 0 ? 0 : (microBatches.size * 1000) / wallMs,
    bytesUploaded,
    bytesFetched,
    bubbleFraction: workers.length === 0 ? 0 : 1 - mean(workers.map((w) => w.busyFraction)),
    stages,
    workers,
    lostAttempts: tasks.reduce((sum, task) => sum + task.history.length, 0),
    // A requeue clears `assignedAt`: a cancelled task that has one was cancelled mid-attempt.
    withdrawnAttempts: tasks.filter(
      (task) => task.state === 'cancelled' && task.assignedAt !== undefined,
    ).length,
  };
}
