import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';

/** The text of a file an option names; a usage error naming the option when it cannot be read. */
export function readOptionFile(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
}
