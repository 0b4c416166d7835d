import type { Command } from 'commander';
import { coordinatorAccess, withClient } from '../connection.js';
import { followTasks } from '../follow-tasks.js';

export function registerWaitCommand(program: Command): void {
  program
    .command('wait')
    .description('show progress until every task of a group has ended; exit 1 if any failed')
    .argument('<group>', 'the group to wait for')
    .option('--json', 'print the final event of every task as JSON')
    .action(async (group: string, options: { json?: boolean }, command: Command) => {
      await withClient(coordinatorAccess(command), async (client) => {
        const json = options.json === true ? { group } : undefined;
        if (!(await followTasks(client, { group }, json))) process.exitCode = 1;
      });
    });
}
