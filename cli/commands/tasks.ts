import { type Command, Option } from 'commander';
import { describeError } from '../../client/index.js';
import { type TaskState, TaskState as TaskStates, type TaskView } from '../../protocol/index.js';
import {
  type CoordinatorAccess,
  coordinatorAccess,
  restGetFromAny,
  withClient,
} from '../connection.js';
import { formatDuration } from '../format/duration.js';
import { formatTable } from '../format/table.js';
import { integerIn } from '../options/integers.js';
import { printJson, printLine, printStatus } from '../output.js';
import { parseWorkersResponse } from './workers.js';

interface TasksOptions {
  group?: string;
  state?: TaskState;
  limit: number;
  json?: boolean;
}

function durationOf(task: TaskView): string {
  const ms =
    task.result?.durationMs ??
    (task.startedAt !== undefined && task.finishedAt !== undefined
      ? task.finishedAt - task.startedAt
      : undefined);
  return ms === undefined ? '-' : formatDuration(ms);
}

/** The `dtf tasks` table: one row per task under a header, workers by name where known. */
export function formatTasksTable(
  tasks: readonly TaskView[],
  workerNames: ReadonlyMap<string, string> = new Map(),
): string {
  const workerOf = (id: string | undefined) =>
    id === undefined ? '-' : (workerNames.get(id) ?? id);
  const rows = tasks.map((task) => [
    task.id,
    task.name ?? task.kind,
    task.state,
    String(task.priority),
    String(task.attempt),
    workerOf(task.workerId),
    durationOf(task),
    task.unschedulable ?? task.result?.error?.split('\n', 1)[0] ?? '',
  ]);
  return formatTable([
    ['ID', 'NAME', 'STATE', 'PRIORITY', 'ATTEMPT', 'WORKER', 'DURATION', 'NOTE'],
    ...rows,
  ]);
}

/**
 * The names of the workers, by id. The tasks are worth showing without them: if the workers
 * cannot be read, a note on stderr says so and the table shows worker ids.
 */
async function workerNames(access: CoordinatorAccess): Promise<Map<string, string>> {
  try {
    const workers = parseWorkersResponse(await restGetFromAny(access, '/api/workers'));
    return new Map(workers.map((worker) => [worker.id, worker.name]));
  } catch (error) {
    printStatus(`(worker names unavailable, showing ids: ${describeError(error)})`);
    return new Map();
  }
}

export function registerTasksCommand(program: Command): void {
  program
    .command('tasks')
    .description('list tasks')
    .option('--group <group>', 'only tasks of this group')
    .addOption(
      new Option('--state <state>', 'only tasks in this state').choices(TaskStates.options),
    )
    .option('--limit <n>', 'most tasks to list', integerIn(1, 10_000), 1_000)
    .option('--json', 'print the tasks as JSON')
    .action(async (options: TasksOptions, command: Command) => {
      const access = coordinatorAccess(command);
      const tasks = await withClient(access, (client) =>
        client.query({ group: options.group, state: options.state, limit: options.limit }),
      );
      if (options.json === true) {
        printJson(tasks);
        return;
      }
      if (tasks.length === 0) {
        printLine('no tasks');
        return;
      }
      const named = tasks.some((task) => task.workerId !== undefined);
      printLine(formatTasksTable(tasks, named ? await workerNames(access) : new Map()));
      if (tasks.length === options.limit) {
        process.stderr.write(`(the first ${options.limit} tasks; --limit shows more)\n`);
      }
    });
}
