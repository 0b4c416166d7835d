import { TASK_KINDS_BY_WORKER } from '../../protocol/index.js';
import { type PluginRunner, type RunAssignment, runByKind } from '../../worker-core/index.js';
import type { ArtifactCache } from '../artifact-cache.js';
import type { TaskLimits } from '../task-limits.js';
import { commandRunner } from './command.js';
import { modelRunner } from './model.js';
import { pluginRunner } from './plugin.js';
import { type StageUploads, shardStageRunner } from './shard-stage.js';
import { vitestRunner } from './vitest.js';
import type { WarmVitests } from './vitest-host/warm-vitests.js';

/** The task kinds a Node worker runs. */
export const NODE_TASK_KINDS = TASK_KINDS_BY_WORKER.node;
type NodeTaskKind = (typeof NODE_TASK_KINDS)[number];

/** Runs each assignment with the runner for its kind. */
export function createRunners(
  artifacts: ArtifactCache,
  uploads: StageUploads,
  plugins: ReadonlyMap<string, PluginRunner>,
  warmVitests: WarmVitests,
  limits: TaskLimits,
): RunAssignment {
  return runByKind<NodeTaskKind>('a Node worker', {
    command: commandRunner(limits),
    vitest: vitestRunner(warmVitests),
    model: modelRunner(artifacts),
    'shard-stage': shardStageRunner(artifacts, uploads),
    plugin: pluginRunner(plugins),
  });
}
