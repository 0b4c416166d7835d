import type { ExecutionProvider, ModelMatrix } from '../../protocol/index.js';

/**
 * The providers sharded runs use: those the sharding names, else in the order the targets name
 * them those of the browser targets, and `cpu` where a `node` target is there.
 */
export function shardedProviders(matrix: ModelMatrix): ExecutionProvider[] {
  const named = matrix.sharding?.executionProviders;
  if (named !== undefined) return [...new Set(named)];
  const providers = new Set<ExecutionProvider>();
  for (const target of matrix.targets) {
    if (target.worker === 'node') providers.add('cpu');
    else for (const p of target.executionProviders) if (p !== 'cpu') providers.add(p);
  }
  return [...providers];
}
