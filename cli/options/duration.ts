import { InvalidArgumentError } from 'commander';
import { DURATION_HINT, parseDurationMs } from '../../protocol/index.js';

/** A commander parser for a duration in ms: `500ms`, `90s`, `10m`, `1.5h`, or bare seconds. */
export function durationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new InvalidArgumentError(`expected ${DURATION_HINT}`);
  return ms;
}
