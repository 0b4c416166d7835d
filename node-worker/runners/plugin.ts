import type { Assignment } from '../../protocol/index.js';
import { type PluginRunner, runPlugin, type TaskRunner } from '../../worker-core/index.js';

/** Runs `plugin` tasks with the runners of the plugins this worker loaded, by name. */
export function pluginRunner(
  runners: ReadonlyMap<string, PluginRunner>,
): TaskRunner<Extract<Assignment, { kind: 'plugin' }>> {
  return {
    run(assignment, signal) {
      const { runner: name } = assignment.payload;
      const runner = runners.get(name);
      if (runner === undefined) {
        const loaded = runners.size === 0 ? 'none' : [...runners.keys()].join(', ');
        const error = `this Node worker has no plugin runner '${name}' (loaded: ${loaded})`;
        return Promise.resolve({ status: 'unsupported', durationMs: 0, error });
      }
      return runPlugin(runner, assignment, signal);
    },
  };
}
