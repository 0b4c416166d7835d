import type { Assignment } from '../../../protocol/index.js';
import { isPluginRunner, runPlugin, type TaskRunner } from '../../../worker-core/index.js';
import { elapsed } from '../elapsed.js';
import { importPageModule } from '../module-load-failure.js';

type PluginAssignment = Extract<Assignment, { kind: 'plugin' }>;

/** Imports a plugin task's module in this page and runs its default export, the runner. */
export const pluginRunner: TaskRunner<PluginAssignment> = {
  async run(assignment, signal) {
    const started = performance.now();
    const { module, runner: name } = assignment.payload;
    if (module === undefined) {
      const error = `plugin runner '${name}' has no module for the page: it runs on Node workers`;
      return { status: 'unsupported', durationMs: 0, error };
    }
    const file = new URL(module, location.origin).href;
    const imported = await importPageModule(file, signal);
    if ('failure' in imported) {
      return { status: 'failed', durationMs: elapsed(started), error: imported.failure };
    }
    const runner = imported.module.default;
    if (!isPluginRunner(runner)) {
      const error = `${file} (plugin runner '${name}') has no default export with run(input, context)`;
      return { status: 'failed', durationMs: elapsed(started), error };
    }
    return runPlugin(runner, assignment, signal);
  },
};
