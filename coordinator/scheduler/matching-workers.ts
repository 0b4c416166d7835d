import type { CoordinatorState, RequirementClass } from '../state/index.js';
import { meetsAll, requirementChecks } from './match.js';

/** Connected workers that satisfy the class; cached until the worker set changes. */
export function matchingWorkers(state: CoordinatorState, cls: RequirementClass): string[] {
  if (cls.matchVersion !== state.workersVersion) {
    const checks = requirementChecks(cls.kind, cls.requirements);
    cls.matchingWorkers = [];
    for (const worker of state.workers.values()) {
      if (worker.status === 'connected' && meetsAll(worker, checks)) {
        cls.matchingWorkers.push(worker.id);
      }
    }
    cls.matchVersion = state.workersVersion;
  }
  return cls.matchingWorkers;
}
