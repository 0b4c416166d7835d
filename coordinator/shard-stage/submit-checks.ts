import { type ProtocolError, type TaskSpec, tensorByteLength } from '../../protocol/index.js';
import type { TaskRecord } from '../state/index.js';
import { type ArtifactStore, artifactHexOf } from '../store/index.js';

interface NewTask {
  id: string;
  spec: TaskSpec;
}

const invalid = (message: string): ProtocolError => ({ code: 'invalid_message', message });

/**
 * Checks what a shard-stage spec's schema cannot (its `dependsOn` already resolved to task
 * ids): each dependency input names a shard-stage task that declares that output, each
 * artifact input is a stored file of its declared size, and each output fits the artifact
 * store. Every artifact is known to be stored (checked before).
 */
export function stageSubmitProblem(
  tasks: readonly NewTask[],
  stored: ReadonlyMap<string, TaskRecord>,
  artifacts: Pick<ArtifactStore, 'file' | 'maxBytes'>,
): ProtocolError | undefined {
  const submitted = new Map(tasks.map(({ id, spec }) => [id, spec]));
  for (const [index, { spec }] of tasks.entries()) {
    if (spec.kind !== 'shard-stage') continue;
    const at = `tasks[${index}].payload`;
    for (const [name, input] of Object.entries(spec.payload.inputs)) {
      if (input.from === 'dependency') {
        const parentId = spec.dependsOn![input.dependency]!;
        const parent = submitted.get(parentId) ?? stored.get(parentId)?.spec;
        if (parent?.kind !== 'shard-stage') {
          return invalid(
            `${at}.inputs.${name}: dependsOn[${input.dependency}] is ${parent === undefined ? 'not a known task' : `a ${parent.kind} task`}, not a shard-stage task whose outputs it could read`,
          );
        }
        const declared = parent.payload.outputs.map((output) => output.name);
        if (!declared.includes(input.output)) {
          return invalid(
            `${at}.inputs.${name}: dependsOn[${input.dependency}] declares no output '${input.output}' (its outputs: ${declared.join(', ')})`,
          );
        }
      } else if (input.from === 'artifact') {
        const bytes = tensorByteLength(input.type, input.dims);
        const size = artifacts.file(artifactHexOf(input.artifact)!)?.size;
        if (size !== bytes) {
          return invalid(
            `${at}.inputs.${name}: artifact ${input.artifact} is ${size} bytes, a ${input.type} [${input.dims.join(', ')}] activation is ${bytes}`,
          );
        }
      }
    }
    for (const [position, { name, type, dims }] of spec.payload.outputs.entries()) {
      const bytes = tensorByteLength(type, dims);
      if (bytes > artifacts.maxBytes) {
        return invalid(
          `${at}.outputs[${position}]: '${name}' (${type} [${dims.join(', ')}]) is ${bytes} bytes, over the artifact store's limit of ${artifacts.maxBytes} bytes`,
        );
      }
    }
  }
  return undefined;
}
