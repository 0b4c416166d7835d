import { expect } from 'vitest';
import type { DtfClient } from '../../client/index.js';
import {
  compareOutputs,
  referenceOutputs,
  type TestModel,
  type Tolerance,
} from '../../models/index.js';
import type { TaskView } from '../../protocol/index.js';
import type { ModelGraph } from '../../sharding/partition/index.js';
import { microBatchInputs } from '../../sharding/run/micro-batch-input.js';
import type { ShardedRunResult } from '../../sharding/run/sharded-run.js';

const WITHDRAWN: ReadonlySet<string> = new Set(['cancelled', 'skipped']);

/** Every micro-batch's outputs, as committed, match onnxruntime-node on the whole model. */
export async function expectReferenceOutputs(
  model: TestModel,
  result: ShardedRunResult,
  tolerance: Tolerance,
): Promise<void> {
  for (const [b, outputs] of result.outputs.entries()) {
    const reference = await referenceOutputs({
      bytes: model.bytes,
      inputs: microBatchInputs(model.inputs, b),
    });
    const summaries = Object.fromEntries(
      Object.entries(outputs).map(([name, activation]) => [name, activation.summary]),
    );
    expect(compareOutputs(reference, summaries, tolerance).problems, `micro-batch ${b}`).toEqual(
      [],
    );
  }
}

/** The run's stage tasks as the coordinator recorded them. */
export async function runTasks(client: DtfClient, run: string): Promise<TaskView[]> {
  return client.query({ group: run, limit: 10_000 });
}

/** What the counts of `expectOnlyUncommittedWorkRedone` came to, for the log. */
export interface RedoneWork {
  succeeded: number;
  lostAttempts: number;
  withdrawnAttempts: number;
}

/**
 * The counts that show a run redid only uncommitted work, made from the coordinator's records
 * of the run's tasks and the plans the run made:
 * - every node of the model committed exactly once for every micro-batch;
 * - the tasks that succeeded are exactly the commits, as many as the plans needed: for each
 *   micro-batch, what earlier plans committed before it was planned again, and every stage of
 *   its last plan;
 * - the work done again is the attempts lost and those a re-plan withdrew, none of them
 *   committed: a cancelled task has no result, a lost attempt recorded none.
 */
export function expectOnlyUncommittedWorkRedone(
  graph: ModelGraph,
  result: ShardedRunResult,
  tasks: readonly TaskView[],
): RedoneWork {
  expect(result.committedTwice).toBe(0);
  const microBatches = result.outputs.length;
  for (let b = 0; b < microBatches; b++) {
    const nodes = result.commits.filter((c) => c.microBatch === b).flatMap((c) => c.nodes);
    expect(nodes.length, `micro-batch ${b}: nodes committed`).toBe(graph.nodes.length);
    expect(new Set(nodes), `micro-batch ${b}: nodes committed`).toEqual(
      new Set(graph.nodes.map((node) => node.name)),
    );
  }

  const succeeded = tasks.filter((task) => task.state === 'succeeded');
  expect(succeeded.map((task) => task.id).sort()).toEqual(
    result.commits.map((commit) => commit.taskId).sort(),
  );
  let needed = 0;
  for (let b = 0; b < microBatches; b++) {
    const last = result.plans.findLast((plan) => plan.microBatches.includes(b))!;
    const commits = result.commits.filter((c) => c.microBatch === b);
    const ofLast = commits.filter((c) => c.generation === last.index);
    expect(ofLast.map((c) => c.stage).sort(), `micro-batch ${b}: stages of its last plan`).toEqual(
      last.plan.stages.map((stage) => stage.index),
    );
    needed += commits.length - ofLast.length + last.plan.stages.length;
  }
  expect(succeeded).toHaveLength(needed);

  // The others were withdrawn by a re-plan: cancelled, or skipped with a cancelled parent.
  const others = tasks.filter((task) => task.state !== 'succeeded');
  expect(others.filter((task) => !WITHDRAWN.has(task.state) || task.result !== undefined)).toEqual(
    [],
  );
  const lostAttempts = tasks.reduce((sum, task) => sum + task.history.length, 0);
  expect(result.figures.lostAttempts).toBe(lostAttempts);
  const withdrawnAttempts = others.filter(
    (task) => task.state === 'cancelled' && task.assignedAt !== undefined,
  ).length;
  expect(result.figures.withdrawnAttempts).toBe(withdrawnAttempts);
  return { succeeded: succeeded.length, lostAttempts, withdrawnAttempts };
}
