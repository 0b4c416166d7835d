import type { ArtifactRef, TaskSpec } from '../protocol/index.js';

/** The stored artifacts a spec names, each with the field that names it. */
export function artifactsNamed(spec: TaskSpec): Array<{ field: string; ref: ArtifactRef }> {
  switch (spec.kind) {
    case 'model':
      return [{ field: 'payload.model', ref: spec.payload.model }];
    case 'shard-stage':
      return [
        { field: 'payload.model', ref: spec.payload.model },
        ...Object.entries(spec.payload.inputs).flatMap(([name, input]) =>
          input.from === 'artifact'
            ? [{ field: `payload.inputs.${name}`, ref: input.artifact }]
            : [],
        ),
      ];
    default:
      return [];
  }
}
