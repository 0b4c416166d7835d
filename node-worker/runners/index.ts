import { type Assignment, TASK_KINDS_BY_WORKER } from '../../protocol/index.js';
import type { RunAssignment, TaskRunner } from '../../worker-core/index.js';
import type { ArtifactCache } from '../artifact-cache.js';
import { commandRunner } from './command.js';
import { modelRunner } from './model.js';
import { type StageUploads, shardStageRunner } from './shard-stage.js';
import { vitestRunner } from './vitest.js';

/** The task kinds a Node worker runs. */
export const NODE_TASK_KINDS = TASK_KINDS_BY_WORKER.node;
type NodeTaskKind = (typeof NODE_TASK_KINDS)[number];
type RunnerTable = { [K in NodeTaskKind]: TaskRunner<Extract<Assignment, { kind: K }>> };

/** Runs each assignment with the runner for its kind. */
export function createRunners(artifacts: ArtifactCache, uploads: StageUploads): RunAssignment {
  const runners: RunnerTable = {
    command: commandRunner,
    vitest: vitestRunner,
    model: modelRunner(artifacts),
    'shard-stage': shardStageRunner(artifacts, uploads),
  };
  return (assignment, signal) => {
    if (!(assignment.kind in runners)) {
      const error = `a Node worker has no runner for task kind '${assignment.kind}'`;
      return Promise.resolve({ status: 'unsupported', durationMs: 0, error });
    }
    // RunnerTable pairs each kind with its runner; TypeScript cannot follow that through an index.
    const runner = runners[assignment.kind as NodeTaskKind] as TaskRunner;
    return runner.run(assignment, signal);
  };
}
