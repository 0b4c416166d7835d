import type { Command } from 'commander';
import { coordinatorAccess, withClient } from '../connection.js';
import { followTasks } from '../follow-tasks.js';
import { durationMs } from '../options/duration.js';

interface WaitCommandOptions {
  json?: boolean;
  timeout?: number;
}

export function registerWaitCommand(program: Command): void {
  program
    .command('wait')
    .description('show progress until every task of a group has ended; exit 1 if any failed')
    .argument('<group>', 'the group to wait for')
    .option('--json', 'print the final event of every task as JSON')
    .option(
      '--timeout <duration>',
      'give up after this long (500ms, 90s, 10m, 1h; bare numbers are seconds): exit 1 naming the tasks not ended',
      durationMs,
    )
    .action(async (group: string, options: WaitCommandOptions, command: Command) => {
      await withClient(coordinatorAccess(command), async (client) => {
        const json = options.json === true ? { group } : undefined;
        if (!(await followTasks(client, { group }, json, options.timeout))) process.exitCode = 1;
      });
    });
}
