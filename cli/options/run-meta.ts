import { InvalidArgumentError } from 'commander';
import { describeIssues, RunMeta } from '../../protocol/index.js';
import { parseLabel } from './labels.js';

/** A commander parser for a repeatable `--meta key=value`, gathering all into one record. */
export function collectMeta(text: string, previous: RunMeta | undefined): RunMeta {
  const [key, value] = parseLabel(text, '--meta');
  const meta = { ...previous, [key]: value };
  const checked = RunMeta.safeParse(meta);
  if (!checked.success) {
    throw new InvalidArgumentError(`--meta '${text}': ${describeIssues(checked.error, meta)}`);
  }
  return checked.data;
}
