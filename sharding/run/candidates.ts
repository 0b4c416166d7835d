import type { RestWorkerView } from '../../protocol/index.js';
import type { CandidateWorker } from '../placement/place-stages.js';
import { workerBackends } from '../placement/worker-backends.js';

const MB = 1024 * 1024;

/**
 * A browser's stage memory when the run sets no budget: onnxruntime-web's wasm heap is 32-bit,
 * at most 4 GiB, and a page needs room besides the stage's weights and activations.
 */
const BROWSER_DEFAULT_BUDGET = 2_048 * MB;

/** The part of a Node worker's memory its stages may take when the run sets no budget. */
const NODE_MEMORY_SHARE = 0.5;

function budgetOf(worker: RestWorkerView, budgetBytes: number | undefined): number {
  const capabilities = worker.capabilities;
  const own =
    capabilities.kind === 'node'
      ? capabilities.memoryMb * MB * NODE_MEMORY_SHARE
      : capabilities.memoryMb > 0
        ? Math.min(capabilities.memoryMb * MB, BROWSER_DEFAULT_BUDGET)
        : BROWSER_DEFAULT_BUDGET;
  return budgetBytes === undefined ? own : Math.min(own, budgetBytes);
}

/** The connected workers that run `shard-stage` tasks, as the planner sees them. */
export function stageCandidates(
  workers: readonly RestWorkerView[],
  budgetBytes: number | undefined,
): CandidateWorker[] {
  return workers
    .filter(
      (worker) =>
        worker.status === 'connected' &&
        worker.health.breaker !== 'open' &&
        worker.capabilities.taskKinds.includes('shard-stage'),
    )
    .map((worker) => ({
      id: worker.id,
      name: worker.name,
      browser: worker.capabilities.kind === 'node' ? 'node' : worker.capabilities.browser.name,
      backends: workerBackends(worker.capabilities),
      budgetBytes: budgetOf(worker, budgetBytes),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
