import {
  MAX_INLINE_ACTIVATION_BYTES,
  ownEntry,
  type ResolvedStageInput,
  type ShardStageAssignmentPayload,
  type ShardStagePayload,
} from '../../protocol/index.js';
import type { TaskRecord } from '../state/index.js';
import { artifactHexOf } from '../store/index.js';

/**
 * The payload a worker gets for a shard-stage task: each `dependency` input replaced by the
 * artifact its parent committed (the output in the parent's recorded result). Reads only the
 * task records, so it gives the same answer on every member for the same state. A problem
 * means a parent has not committed that output, which the scheduler and the result check rule
 * out; it is named rather than thrown.
 */
export function resolveStageInputs(
  payload: ShardStagePayload,
  dependsOn: readonly string[],
  tasks: ReadonlyMap<string, Pick<TaskRecord, 'state' | 'result'>>,
): { payload: ShardStageAssignmentPayload } | { problem: string } {
  const inputs: Record<string, ResolvedStageInput> = {};
  for (const [name, input] of Object.entries(payload.inputs)) {
    if (input.from !== 'dependency') {
      inputs[name] = input;
      continue;
    }
    const parentId = dependsOn[input.dependency];
    const parent = parentId === undefined ? undefined : tasks.get(parentId);
    const output = parent?.state === 'succeeded' ? parent.result?.output : undefined;
    const committed =
      output?.kind === 'shard-stage' ? ownEntry(output.outputs, input.output) : undefined;
    if (committed === undefined) {
      const producer = parentId === undefined ? `dependsOn[${input.dependency}]` : parentId;
      return {
        problem: `input '${name}': task ${producer} has committed no output '${input.output}'`,
      };
    }
    inputs[name] = {
      from: 'artifact',
      artifact: committed.artifact,
      type: committed.type,
      dims: committed.dims,
    };
  }
  return { payload: { ...payload, inputs } };
}

/**
 * The payload with each artifact input's bytes put inside it where `recent` has them, up to
 * `MAX_INLINE_ACTIVATION_BYTES` in all: the worker then checks them against the ref's hash
 * rather than fetching them. Inputs it has not are left to be fetched.
 */
export function withInlineInputs(
  payload: ShardStageAssignmentPayload,
  recent: (hex: string) => Uint8Array | undefined,
): ShardStageAssignmentPayload {
  let room = MAX_INLINE_ACTIVATION_BYTES;
  let inputs: Record<string, ResolvedStageInput> | undefined;
  for (const [name, input] of Object.entries(payload.inputs)) {
    if (input.from !== 'artifact') continue;
    const bytes = recent(artifactHexOf(input.artifact)!);
    if (bytes === undefined || bytes.byteLength > room) continue;
    room -= bytes.byteLength;
    inputs ??= { ...payload.inputs };
    inputs[name] = { ...input, data: Buffer.from(bytes).toString('base64') };
  }
  return inputs === undefined ? payload : { ...payload, inputs };
}
