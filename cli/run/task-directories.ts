import type { Suite } from '../../protocol/index.js';
import { suiteTaskLabel } from '../format/task-label.js';
import { pathProblem } from './path-problem.js';

/**
 * Checks that every directory the suite's tasks name (a command's `cwd`, a vitest `dir`)
 * exists here, for a run whose worker is this machine's; `what` names the suite file.
 */
export async function checkTaskDirectories(suite: Suite, what: string): Promise<void> {
  for (const [index, task] of suite.tasks.entries()) {
    const named =
      task.kind === 'command'
        ? { field: 'cwd', dir: task.payload.cwd }
        : task.kind === 'vitest'
          ? { field: 'dir', dir: task.payload.dir }
          : undefined;
    if (named?.dir === undefined) continue;
    const problem = await pathProblem(named.dir, 'directory');
    if (problem !== undefined) {
      throw new Error(
        `${what}: ${suiteTaskLabel(task, index)}: ${task.kind} ${named.field} '${named.dir}' ${problem}`,
      );
    }
  }
}
