import type { DtfClient } from '../../client/index.js';
import { resolveStageInputs } from '../../coordinator/shard-stage/index.js';
import { MAX_QUERY_LIMIT, type TaskSpecInput, type TaskView } from '../../protocol/index.js';

type StageView = TaskView & { spec: { kind: 'shard-stage' } };

function isStage(task: TaskView): task is StageView {
  return task.spec.kind === 'shard-stage';
}

/**
 * Runs the stage `stage` of a finished sharded run again, for every micro-batch at once, on the
 * worker that ran it, from the activations its parents committed: the stage alone at full rate,
 * every next micro-batch waiting on the worker, the other workers idle. Resolves with its tasks
 * as the coordinator recorded them.
 */
export async function replayStage(
  client: DtfClient,
  run: readonly TaskView[],
  stage: number,
  group: string,
): Promise<TaskView[]> {
  const byId = new Map(run.map((task) => [task.id, task]));
  const ran = run
    .filter(isStage)
    .filter((task) => task.state === 'succeeded' && task.spec.payload.stage === stage)
    .sort((a, b) => a.spec.payload.microBatch - b.spec.payload.microBatch);
  if (ran.length < 2) throw new Error(`stage ${stage} committed ${ran.length} micro-batch(es)`);
  const specs: TaskSpecInput[] = ran.map((task) => {
    // The inputs as the coordinator resolves them for an assignment: each dependency read from
    // what its parent committed.
    const resolved = resolveStageInputs(task.spec.payload, task.spec.dependsOn ?? [], byId);
    if ('problem' in resolved) throw new Error(`stage ${stage}: ${resolved.problem}`);
    return {
      kind: 'shard-stage',
      group,
      timeoutMs: task.spec.timeoutMs,
      requirements: { workers: [task.workerId!] },
      payload: { ...resolved.payload, run: group },
    };
  });
  const taskIds = await client.submit(specs);
  const ends = await client.waitFor({ taskIds });
  const failed = ends.find((end) => end.state !== 'succeeded');
  if (failed !== undefined) {
    throw new Error(`stage ${stage} replayed: task ${failed.taskId} ${failed.state}`);
  }
  return client.query({ group, limit: MAX_QUERY_LIMIT });
}
