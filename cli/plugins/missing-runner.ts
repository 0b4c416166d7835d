import type { TaskSpec } from '../../protocol/index.js';

/**
 * The first `plugin` task for Node workers whose runner none of `runners` is, said as an error:
 * the Node workers `dtf run` starts itself have only the config's plugins' runners.
 */
export function missingNodeRunner(
  tasks: readonly TaskSpec[],
  runners: ReadonlyMap<string, unknown>,
): string | undefined {
  for (const [index, task] of tasks.entries()) {
    if (task.kind !== 'plugin' || task.requirements.workerKind !== 'node') continue;
    if (runners.has(task.payload.runner)) continue;
    const given = runners.size === 0 ? 'none' : [...runners.keys()].join(', ');
    return `tasks[${index}]: no plugin of the config gives a runner '${task.payload.runner}' to the Node workers dtf run starts (runners: ${given})`;
  }
  return undefined;
}
