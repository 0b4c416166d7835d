import type { Command } from 'commander';
import type { Labels } from '../../protocol/index.js';
import { coordinatorAccess, withClient } from '../connection.js';
import { followTasks } from '../follow-tasks.js';
import { anyInteger, positiveInteger } from '../options/integers.js';
import { collectLabel } from '../options/labels.js';
import { printJson, printLine } from '../output.js';
import { commandTasks } from '../specs/command-tasks.js';
import { newGroupId } from '../specs/group-id.js';
import { applySubmitOverrides } from '../specs/submit-options.js';
import { readTaskFile } from '../specs/task-file.js';
import { validateTaskSpecs } from '../specs/validate-specs.js';
import { UsageError } from '../usage-error.js';

interface SubmitOptions {
  command?: string;
  count?: number;
  priority?: number;
  label?: Labels;
  group?: string;
  timeoutMs?: number;
  wait?: boolean;
  json?: boolean;
}

async function rawSpecs(
  file: string | undefined,
  options: SubmitOptions,
): Promise<{ specs: Record<string, unknown>[]; source: string }> {
  if (file !== undefined && options.command !== undefined) {
    throw new UsageError('give a tasks file or --command, not both');
  }
  if (file !== undefined) {
    if (options.count !== undefined) throw new UsageError('--count applies only to --command');
    return { specs: await readTaskFile(file), source: `tasks file '${file}'` };
  }
  if (options.command === undefined) throw new UsageError('give a tasks file or --command "..."');
  return { specs: commandTasks(options.command, options.count ?? 1), source: '--command' };
}

export function registerSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit tasks from a JSON file (one spec or an array) or a shell command')
    .argument('[file]', 'JSON file with a task spec or an array of them')
    .option('--command <command>', 'shell command to run as a task')
    .option('--count <n>', 'how many tasks of --command to submit (default 1)', positiveInteger)
    .option('--priority <p>', 'priority of every task; higher runs first', anyInteger)
    .option('--label <key=value>', 'worker label the tasks require (repeatable)', collectLabel)
    .option('--group <group>', 'group of the tasks (default: a new run id)')
    .option('--timeout-ms <ms>', 'time limit of each attempt', positiveInteger)
    .option('--wait', 'follow the tasks until all have ended; exit 1 if any did not succeed')
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string | undefined, options: SubmitOptions, command: Command) => {
      const { specs, source } = await rawSpecs(file, options);
      const group = options.group ?? newGroupId();
      const overrides = {
        priority: options.priority,
        requiredLabels: options.label,
        timeoutMs: options.timeoutMs,
        group: options.group,
        defaultGroup: group,
      };
      const tasks = validateTaskSpecs(
        specs.map((spec) => applySubmitOverrides(spec, overrides)),
        source,
      );
      await withClient(coordinatorAccess(command), async (client) => {
        // A repeated idempotency key answers with the first task's id again.
        const taskIds = [...new Set(await client.submit(tasks))];
        if (options.wait === true) {
          const json = options.json === true ? { group, taskIds } : undefined;
          if (!(await followTasks(client, { taskIds }, json))) process.exitCode = 1;
        } else if (options.json === true) {
          printJson({ group, taskIds });
        } else {
          const groups = [...new Set(tasks.map((task) => task.group))].join(', ');
          printLine(`submitted ${taskIds.length} task(s) in group ${groups}`);
          if (tasks.every((task) => task.group === group)) {
            printLine(`follow them with: dtf wait ${group}`);
          }
        }
      });
    });
}
