import { type QuarantineEntry, quarantineKey } from '../../protocol/index.js';
import type { Command } from './commands.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

/** Quarantining a test again replaces its entry (a new reason), keeping when it began. */
export function quarantineTest(
  state: CoordinatorState,
  command: Extract<Command, { type: 'QuarantineTest' }>,
): StateEvent[] {
  const key = quarantineKey(command.entry);
  const since = state.quarantine.get(key)?.since ?? command.now;
  const entry: QuarantineEntry = { ...command.entry, since };
  state.quarantine.set(key, entry);
  return [{ type: 'QuarantineChanged', key, entry }];
}

export function releaseTest(
  state: CoordinatorState,
  command: Extract<Command, { type: 'ReleaseTest' }>,
): StateEvent[] {
  const key = quarantineKey(command.entry);
  if (!state.quarantine.delete(key)) return [];
  return [{ type: 'QuarantineChanged', key, entry: undefined }];
}
