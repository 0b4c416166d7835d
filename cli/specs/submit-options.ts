import type { Labels } from '../../protocol/index.js';

/** What `dtf submit`'s flags set on every task; flags win over a tasks file. */
export interface SubmitOverrides {
  priority?: number;
  /** Worker labels the tasks require, merged into `requirements.labels`. */
  requiredLabels?: Labels;
  timeoutMs?: number;
  group?: string;
  /** The group of tasks that name none and get none from `group`. */
  defaultGroup: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withRequiredLabels(requirements: unknown, labels: Labels): unknown {
  if (requirements === undefined) return { labels };
  // Left as it is, so validation names the problem in the user's own spec.
  if (!isRecord(requirements)) return requirements;
  const given = isRecord(requirements.labels) ? requirements.labels : {};
  return { ...requirements, labels: { ...given, ...labels } };
}

/** `spec` with the command-line overrides applied; the result is validated afterwards. */
export function applySubmitOverrides(
  spec: Record<string, unknown>,
  overrides: SubmitOverrides,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...spec };
  if (overrides.priority !== undefined) result.priority = overrides.priority;
  if (overrides.timeoutMs !== undefined) result.timeoutMs = overrides.timeoutMs;
  if (overrides.requiredLabels !== undefined) {
    result.requirements = withRequiredLabels(spec.requirements, overrides.requiredLabels);
  }
  result.group = overrides.group ?? spec.group ?? overrides.defaultGroup;
  return result;
}
