import { MAX_KEYS } from '../../protocol/index.js';
import type { Command } from './commands.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

/** At most `MAX_KEYS`, and an id once: the edge refuses both first, saying so. */
export function createKey(state: CoordinatorState, command: CommandOf<'CreateKey'>): StateEvent[] {
  const { key } = command;
  if (state.keys.has(key.id) || state.keys.size >= MAX_KEYS) return [];
  state.keys.set(key.id, key);
  return [{ type: 'KeyChanged', key }];
}

/** A key revoked stays revoked: revoking it again changes nothing. */
export function revokeKey(state: CoordinatorState, command: CommandOf<'RevokeKey'>): StateEvent[] {
  const key = state.keys.get(command.id);
  if (key === undefined || key.revokedAt !== undefined) return [];
  const revoked = { ...key, revokedAt: command.now };
  delete revoked.previous;
  state.keys.set(key.id, revoked);
  return [{ type: 'KeyChanged', key: revoked }];
}

/** A revoked key is not brought back by a rotation. */
export function rotateKey(state: CoordinatorState, command: CommandOf<'RotateKey'>): StateEvent[] {
  const key = state.keys.get(command.id);
  if (key === undefined || key.revokedAt !== undefined) return [];
  const rotated = { ...key, sha256: command.sha256 };
  if (command.graceUntil > command.now) {
    rotated.previous = { sha256: key.sha256, until: command.graceUntil };
  } else {
    delete rotated.previous;
  }
  state.keys.set(key.id, rotated);
  return [{ type: 'KeyChanged', key: rotated }];
}
