import type { KeyScopes, ProtocolError, TaskSpec } from '../protocol/index.js';

const inGroup = (group: string, pattern: string) =>
  pattern.endsWith('*') ? group.startsWith(pattern.slice(0, -1)) : group === pattern;

/** Why a key limited to `scopes` may not submit `spec` (at `index` of the submit), if it may not. */
function specRefusal(spec: TaskSpec, index: number, scopes: KeyScopes): string | undefined {
  const { kinds, labels, groups } = scopes;
  if (kinds !== undefined && !kinds.includes(spec.kind)) {
    return `tasks[${index}].kind: this key may submit only ${kinds.join(', ')} tasks, not ${spec.kind}`;
  }
  if (groups !== undefined && !groups.some((pattern) => inGroup(spec.group ?? '', pattern))) {
    const to = spec.group === undefined ? 'without a group' : `to group '${spec.group}'`;
    return `tasks[${index}].group: this key may submit only to ${groups.join(', ')}, not ${to}`;
  }
  for (const [name, value] of Object.entries(labels ?? {})) {
    if (spec.requirements.labels?.[name] !== value) {
      return `tasks[${index}].requirements.labels: this key's tasks must ask for ${name}=${value}, so that they run only on the workers meant for them`;
    }
  }
  return undefined;
}

/** Why a submit of `specs` by a key limited to `scopes` is refused, or undefined. */
export function scopeRefusal(
  specs: readonly TaskSpec[],
  scopes: KeyScopes | undefined,
): ProtocolError | undefined {
  if (scopes === undefined) return undefined;
  for (const [index, spec] of specs.entries()) {
    const message = specRefusal(spec, index, scopes);
    if (message !== undefined) return { code: 'forbidden', message };
  }
  return undefined;
}
