import type { Command } from 'commander';
import { CoordinatorError, type DtfClient, type TaskSelector } from '../../client/index.js';
import { coordinatorAccess, withClient } from '../connection.js';
import { printJson, printLine } from '../output.js';

/** A task id if a task has that id, otherwise a group; an error if it names neither. */
async function resolveTarget(
  client: DtfClient,
  target: string,
  groupOnly: boolean,
): Promise<TaskSelector> {
  if (!groupOnly) {
    try {
      const tasks = await client.query({ taskIds: [target] });
      if (tasks.some((task) => task.id === target)) return { taskIds: [target] };
    } catch (error) {
      if (!(error instanceof CoordinatorError && error.code === 'not_found')) throw error;
    }
  }
  if ((await client.query({ group: target, limit: 1 })).length === 0) {
    throw new Error(
      groupOnly ? `no group '${target}': no task has it` : `no task or group '${target}'`,
    );
  }
  return { group: target };
}

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel a task, or every unfinished task of a group')
    .argument('<target>', 'a task id, or a group if no task has that id (an error if neither)')
    .option('--group', 'treat the target as a group without looking for a task id')
    .option('--json', 'print the cancelled task ids as JSON')
    .action(
      async (target: string, options: { group?: boolean; json?: boolean }, command: Command) => {
        await withClient(coordinatorAccess(command), async (client) => {
          const selector = await resolveTarget(client, target, options.group === true);
          const cancelled = await client.cancel(selector);
          if (options.json === true) printJson({ ...selector, cancelled });
          else if ('group' in selector) {
            printLine(`cancelled ${cancelled.length} task(s) of group ${target}`);
          } else {
            printLine(
              cancelled.length > 0
                ? `cancelled task ${target}`
                : `task ${target} had already ended`,
            );
          }
        });
      },
    );
}
