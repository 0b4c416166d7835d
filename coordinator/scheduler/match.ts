import type { Requirements, TaskKind } from '../../protocol/index.js';
import type { WorkerRecord } from '../state/index.js';

/** The first requirement the worker fails, as a phrase, or undefined when it satisfies all. */
export function unmetRequirement(
  worker: WorkerRecord,
  kind: TaskKind,
  requirements: Requirements,
): string | undefined {
  const caps = worker.capabilities;
  if (!caps.taskKinds.includes(kind)) return `no worker runs task kind '${kind}'`;
  if (requirements.workerKind !== undefined && caps.kind !== requirements.workerKind) {
    return `no ${requirements.workerKind} worker`;
  }
  if (
    requirements.browser !== undefined &&
    (caps.kind !== 'browser' || caps.browser.name !== requirements.browser)
  ) {
    return `no ${requirements.browser} browser worker`;
  }
  for (const [key, value] of Object.entries(requirements.labels ?? {})) {
    if (worker.labels[key] !== value) return `no worker with label ${key}=${value}`;
  }
  if (requirements.minMemoryMb !== undefined && caps.memoryMb < requirements.minMemoryMb) {
    return `no worker with at least ${requirements.minMemoryMb} MB of memory`;
  }
  for (const feature of requirements.features ?? []) {
    if (!caps.features.includes(feature)) return `no worker with feature '${feature}'`;
  }
  return undefined;
}

export function satisfies(
  worker: WorkerRecord,
  kind: TaskKind,
  requirements: Requirements,
): boolean {
  return unmetRequirement(worker, kind, requirements) === undefined;
}

/**
 * Why no connected worker can take tasks of this kind and requirements, or undefined if one
 * can. Names a single unmet requirement when every worker fails the same way.
 */
export function explainUnschedulable(
  workers: Iterable<WorkerRecord>,
  kind: TaskKind,
  requirements: Requirements,
): string | undefined {
  const reasons = new Set<string>();
  let connected = 0;
  for (const worker of workers) {
    if (worker.status !== 'connected') continue;
    connected++;
    const unmet = unmetRequirement(worker, kind, requirements);
    if (unmet === undefined) return undefined;
    reasons.add(unmet);
  }
  if (connected === 0) return 'unschedulable: no worker connected';
  if (reasons.size === 1) return `unschedulable: ${[...reasons][0]}`;
  return `unschedulable: no single worker meets every requirement (${[...reasons].join('; ')})`;
}
