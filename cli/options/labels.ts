import { InvalidArgumentError } from 'commander';
import { describeIssues, Labels } from '../../protocol/index.js';

/** Splits `key=value` at its first `=`; the value may be empty, the key may not. */
export function parseLabel(text: string, what = 'label'): [key: string, value: string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`${what} '${text}' must look like key=value`);
  return [text.slice(0, equals), text.slice(equals + 1)];
}

/** A commander parser for a repeatable `--label key=value`, gathering all into one record. */
export function collectLabel(text: string, previous: Labels | undefined): Labels {
  const [key, value] = parseLabel(text);
  const labels = { ...previous, [key]: value };
  const checked = Labels.safeParse(labels);
  if (!checked.success) {
    throw new InvalidArgumentError(`label '${text}': ${describeIssues(checked.error, labels)}`);
  }
  return checked.data;
}
