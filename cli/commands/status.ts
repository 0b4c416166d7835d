import type { Command } from 'commander';
import { coordinatorAccess, restGetFromAny } from '../connection.js';
import { keyValueRows } from '../format/key-values.js';
import { formatTable } from '../format/table.js';
import { printJson, printLine } from '../output.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("show the coordinator's status")
    .option('--json', 'print the status document as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const status = await restGetFromAny(coordinatorAccess(command), '/api/status');
      if (options.json === true) printJson(status);
      else printLine(formatTable(keyValueRows(status)));
    });
}
