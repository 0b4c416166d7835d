import { InvalidArgumentError } from 'commander';
import { ExecutionProvider } from '../../protocol/index.js';

/** A commander parser for a comma-separated list of execution providers, in order. */
export function executionProviders(text: string): ExecutionProvider[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const known = ExecutionProvider.options;
  const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `expected backends among ${known.join(', ')}, comma-separated${unknown.length > 0 ? `; '${unknown[0]!.slice(0, 40)}' is none of them` : ''}`,
    );
  }
  return [...new Set(names as ExecutionProvider[])];
}
