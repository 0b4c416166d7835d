import type { Requirements, TaskKind } from '../../protocol/index.js';
import type { WorkerRecord } from '../state/index.js';

/** One condition a task puts on a worker, with the words to explain it. */
export interface RequirementCheck {
  met(worker: WorkerRecord): boolean;
  /** Said when no worker meets it: `no worker with label gpu=a100`. */
  missing: string;
  /** Said of the workers that meet it: `run task kind 'command'`. */
  metBy: string;
  /** Said of one worker that does not: `does not run task kind 'command'`. */
  unmetBy: string;
}

/**
 * Every condition on a worker of a task of this kind and requirements, in a fixed order; all
 * but `workers`, which names the workers instead of describing them (see `namedWorkers`).
 */
export function requirementChecks(kind: TaskKind, requirements: Requirements): RequirementCheck[] {
  const checks: RequirementCheck[] = [
    {
      met: (worker) => worker.capabilities.taskKinds.includes(kind),
      missing: `no worker runs task kind '${kind}'`,
      metBy: `run task kind '${kind}'`,
      unmetBy: `does not run task kind '${kind}'`,
    },
  ];
  const { workerKind, browser, minMemoryMb, slots } = requirements;
  if (slots !== undefined && slots > 1) {
    checks.push({
      met: (worker) => worker.slots >= slots,
      missing: `no worker with ${slots} slots`,
      metBy: `have at least ${slots} slots`,
      unmetBy: `has fewer than ${slots} slots`,
    });
  }
  if (workerKind !== undefined) {
    checks.push({
      met: (worker) => worker.capabilities.kind === workerKind,
      missing: `no ${workerKind} worker`,
      metBy: `are ${workerKind} workers`,
      unmetBy: `is not a ${workerKind} worker`,
    });
  }
  if (browser !== undefined) {
    checks.push({
      met: ({ capabilities: caps }) => caps.kind === 'browser' && caps.browser.name === browser,
      missing: `no ${browser} browser worker`,
      metBy: `are ${browser} browsers`,
      unmetBy: `is not a ${browser} browser`,
    });
  }
  for (const [key, value] of Object.entries(requirements.labels ?? {})) {
    checks.push({
      met: (worker) => worker.labels[key] === value,
      missing: `no worker with label ${key}=${value}`,
      metBy: `have label ${key}=${value}`,
      unmetBy: `lacks label ${key}=${value}`,
    });
  }
  if (minMemoryMb !== undefined) {
    checks.push({
      met: (worker) => worker.capabilities.memoryMb >= minMemoryMb,
      missing: `no worker with at least ${minMemoryMb} MB of memory`,
      metBy: `have at least ${minMemoryMb} MB of memory`,
      unmetBy: `has less than ${minMemoryMb} MB of memory`,
    });
  }
  for (const feature of requirements.features ?? []) {
    checks.push({
      met: (worker) => worker.capabilities.features.includes(feature),
      missing: `no worker with feature '${feature}'`,
      metBy: `have feature '${feature}'`,
      unmetBy: `lacks feature '${feature}'`,
    });
  }
  return checks;
}

export function meetsAll(worker: WorkerRecord, checks: readonly RequirementCheck[]): boolean {
  return checks.every((check) => check.met(worker));
}

/** Whether a task of this kind and requirements may run on the worker, whatever its status. */
export function fitsRequirements(
  worker: WorkerRecord,
  kind: TaskKind,
  requirements: Requirements,
): boolean {
  const named = requirements.workers;
  if (named !== undefined && !named.includes(worker.id)) return false;
  return meetsAll(worker, requirementChecks(kind, requirements));
}

const MAX_NAMED_WORKERS = 5;

function namesOf(workers: readonly WorkerRecord[]): string {
  const named = workers.slice(0, MAX_NAMED_WORKERS).map((worker) => worker.name);
  const more = workers.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/**
 * Why no connected worker can take tasks of this kind and requirements, or undefined if one
 * can. The requirements narrow the connected workers one after the other; the first that
 * leaves none is the reason, said of the workers that met the ones before it (a browser worker
 * that runs no commands does not hide the Node worker that does, but lacks a label).
 */
export function explainUnschedulable(
  workers: Iterable<WorkerRecord>,
  kind: TaskKind,
  requirements: Requirements,
): string | undefined {
  let candidates = [...workers].filter((worker) => worker.status === 'connected');
  if (candidates.length === 0) return 'unschedulable: no worker connected';
  const narrowedBy: string[] = [];
  for (const check of requirementChecks(kind, requirements)) {
    const meeting = candidates.filter((worker) => check.met(worker));
    if (meeting.length === 0) {
      if (narrowedBy.length === 0) return `unschedulable: ${check.missing}`;
      const among = `the connected workers that ${narrowedBy.join(' and ')}`;
      return `unschedulable: ${check.missing} among ${among} (${namesOf(candidates)})`;
    }
    if (meeting.length < candidates.length) narrowedBy.push(check.metBy);
    candidates = meeting;
  }
  return undefined;
}
