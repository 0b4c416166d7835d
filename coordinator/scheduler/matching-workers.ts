import { type CoordinatorState, namedWorkers, type RequirementClass } from '../state/index.js';
import { meetsAll, requirementChecks } from './match.js';

/** Connected workers that satisfy the class; cached until the worker set changes. */
export function matchingWorkers(state: CoordinatorState, cls: RequirementClass): string[] {
  if (cls.matchVersion !== state.workersVersion) {
    const checks = requirementChecks(cls.kind, cls.requirements);
    // A class that names its workers looks at those alone, not at every worker there is.
    const named = namedWorkers(cls.requirements);
    const candidates =
      named === undefined
        ? state.workers.values()
        : named.flatMap((id) => state.workers.get(id) ?? []);
    cls.matchingWorkers = [];
    for (const worker of candidates) {
      if (worker.status === 'connected' && meetsAll(worker, checks)) {
        cls.matchingWorkers.push(worker.id);
      }
    }
    cls.matchVersion = state.workersVersion;
  }
  return cls.matchingWorkers;
}
