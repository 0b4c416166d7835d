import { relative } from 'node:path';
import type { TaskSpec } from '../../protocol/index.js';
import { buildProblem } from '../config/build-problem.js';
import { ConfigError } from '../config/config-error.js';
import { bundleForBrowser, pageModulePath } from '../discover/browser-bundle.js';

type PluginSpec = Extract<TaskSpec, { kind: 'plugin' }>;

const asksForBrowser = ({ requirements }: PluginSpec) =>
  requirements.browser !== undefined || requirements.workerKind === 'browser';

/**
 * Gives each `plugin` task that asks for a browser and names no module the bundle of its page
 * runner (`pageRunners`, by runner name), served by the coordinator once stored; returns the
 * bundles to store. A runner no plugin gives the page, or a module that does not build, is named.
 */
export async function withPageRunnerModules(
  tasks: TaskSpec[],
  pageRunners: ReadonlyMap<string, string>,
): Promise<Uint8Array[]> {
  const bundles = new Map<string, Uint8Array>();
  for (const [index, task] of tasks.entries()) {
    if (task.kind !== 'plugin' || task.payload.module !== undefined || !asksForBrowser(task)) {
      continue;
    }
    const { runner } = task.payload;
    const file = pageRunners.get(runner);
    if (file === undefined) {
      const given = pageRunners.size === 0 ? 'none' : [...pageRunners.keys()].join(', ');
      throw new ConfigError(
        `tasks[${index}]: no plugin gives a page runner '${runner}' (page runners: ${given})`,
      );
    }
    let code = bundles.get(runner);
    if (code === undefined) {
      try {
        code = await bundleForBrowser(file, process.cwd());
      } catch (error) {
        const problem = buildProblem(error, relative(process.cwd(), file) || file);
        throw new ConfigError(`page runner '${runner}': ${problem}`);
      }
      bundles.set(runner, code);
    }
    tasks[index] = { ...task, payload: { ...task.payload, module: pageModulePath(code) } };
  }
  return [...bundles.values()];
}
