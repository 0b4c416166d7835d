import { CommanderError } from 'commander';
import { describeError } from '../client/index.js';
import { UsageError } from './usage-error.js';

/**
 * Prints why the command failed as `dtf: <message>` and returns the exit status: 2 for usage
 * errors, 1 for everything else. Commander has printed its own errors already.
 */
export function reportFailure(error: unknown, withStack: boolean): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  process.stderr.write(`dtf: ${describeError(error)}\n`);
  if (withStack && error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  return error instanceof UsageError ? 2 : 1;
}
