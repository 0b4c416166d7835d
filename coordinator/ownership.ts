import type { ProtocolError } from '../protocol/index.js';
import type { Grant } from './auth/index.js';
import { type CoordinatorState, selectedTasks } from './state/index.js';

/** Who asks to change tasks: a submitter key may change only the tasks it submitted. */
export type Requester = Pick<Grant, 'role' | 'keyId'>;

/** The key a change is limited to: a submitter's own; undefined for a role that may change any. */
export function ownerLimit(requester: Requester): string | undefined {
  return requester.role === 'submitter' ? requester.keyId : undefined;
}

/**
 * Why `requester` may not change the tasks selected (by id, or a group's), or undefined. The
 * state applies the same limit (`owner` in the command), so a task submitted by another key
 * between this check and the commit is left alone too.
 */
export function ownershipRefusal(
  state: CoordinatorState,
  requester: Requester,
  selection: { taskIds?: readonly string[] | undefined; group?: string | undefined },
): ProtocolError | undefined {
  if (requester.role !== 'submitter') return undefined;
  const foreign = selectedTasks(state, selection).find((task) => task.owner !== requester.keyId);
  if (foreign === undefined) return undefined;
  const what =
    selection.group !== undefined
      ? `group '${selection.group}' holds task ${foreign.id}, which`
      : `task ${foreign.id}`;
  return {
    code: 'forbidden',
    message: `${what} was submitted by another key: a submitter key may change only the tasks it submitted`,
  };
}
