import type { CoordinatorState, RequirementClass } from '../state/index.js';
import { satisfies } from './match.js';

/** Connected workers that satisfy the class; cached until the worker set changes. */
export function matchingWorkers(state: CoordinatorState, cls: RequirementClass): string[] {
  if (cls.matchVersion !== state.workersVersion) {
    cls.matchingWorkers = [];
    for (const worker of state.workers.values()) {
      if (worker.status === 'connected' && satisfies(worker, cls.kind, cls.requirements)) {
        cls.matchingWorkers.push(worker.id);
      }
    }
    cls.matchVersion = state.workersVersion;
  }
  return cls.matchingWorkers;
}
