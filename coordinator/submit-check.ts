import type { ProtocolError, TaskSpec } from '../protocol/index.js';
import type { ArtifactStore } from './store/index.js';

/**
 * Checks what the schema cannot: every artifact a task refers to is in the store. A submit that
 * fails here stores nothing.
 */
export function checkSubmittable(
  specs: readonly TaskSpec[],
  artifacts: ArtifactStore,
): ProtocolError | undefined {
  for (const [index, spec] of specs.entries()) {
    if (spec.kind === 'model' && !artifacts.has(spec.payload.model)) {
      return {
        code: 'not_found',
        message: `tasks[${index}].payload.model: artifact ${spec.payload.model} is not in the store; upload the file with PUT /api/artifacts first`,
      };
    }
  }
  return undefined;
}
