import type { DtfClient } from '../../client/index.js';
import {
  MAX_QUERY_LIMIT,
  type StageInput,
  type TaskSpecInput,
  type TaskView,
} from '../../protocol/index.js';

type StageView = TaskView & { spec: { kind: 'shard-stage' } };

function isStage(task: TaskView): task is StageView {
  return task.spec.kind === 'shard-stage';
}

/** The committed output `output` of the task `taskId` among `tasks`, as an artifact input. */
function committedInput(tasks: ReadonlyMap<string, TaskView>, taskId: string, output: string) {
  const result = tasks.get(taskId)?.result?.output;
  const activation =
    result?.kind === 'shard-stage' && Object.hasOwn(result.outputs, output)
      ? result.outputs[output]
      : undefined;
  if (activation === undefined) throw new Error(`task ${taskId} committed no output '${output}'`);
  const { artifact, type, dims } = activation;
  return { from: 'artifact', artifact, type, dims } as const;
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
    const { payload } = task.spec;
    const inputs: Record<string, StageInput> = {};
    for (const [name, input] of Object.entries(payload.inputs)) {
      inputs[name] =
        input.from === 'dependency'
          ? committedInput(byId, task.spec.dependsOn![input.dependency]!, input.output)
          : input;
    }
    return {
      kind: 'shard-stage',
      group,
      timeoutMs: task.spec.timeoutMs,
      requirements: { workers: [task.workerId!] },
      payload: { ...payload, run: group, inputs },
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
