import type { Command } from 'commander';
import { protocolJsonSchema } from '../../protocol/index.js';
import { printJson } from '../output.js';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the wire protocol')
    .action(() => printJson(protocolJsonSchema()));
}
