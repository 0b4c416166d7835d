import {
  type ModelGraph,
  PartitionError,
  type PartitionPlan,
  planPartition,
  type ValueShapes,
} from '../partition/index.js';

/**
 * The part of the graph still to run once the nodes in `done` have committed their outputs:
 * its inputs are the values it reads that nothing left produces (model inputs and committed
 * activations), its outputs the model outputs still to come. `done` is closed upwards (a stage
 * commits only after everything it read), so what is left is a graph of its own.
 */
export function remainingGraph(graph: ModelGraph, done: ReadonlySet<string>): ModelGraph {
  const nodes = graph.nodes.filter((node) => !done.has(node.name));
  const produced = new Set(nodes.flatMap((node) => node.outputs));
  const inputs = [
    ...new Set(
      nodes.flatMap((node) =>
        node.inputs.filter((value) => !produced.has(value) && !graph.initializers.has(value)),
      ),
    ),
  ];
  return {
    ...graph,
    nodes,
    inputs,
    outputs: graph.outputs.filter((value) => produced.has(value)),
  };
}

/**
 * A pipeline plan of what is left after `done`, in `stages` stages where it can be: fewer when
 * fewer nodes are left, or when that many cuts would pass a type stages do not exchange; more
 * when that many stages cannot each fit the budget (the fewest that do).
 */
export function planRemaining(
  graph: ModelGraph,
  shapes: ValueShapes,
  done: ReadonlySet<string>,
  options: { stages: number; budgetBytes?: number | undefined },
): { rest: ModelGraph; plan: PartitionPlan } {
  const rest = remainingGraph(graph, done);
  const { budgetBytes } = options;
  for (let stages = Math.min(options.stages, rest.nodes.length); ; stages--) {
    try {
      const plan = planPartition(rest, shapes, { stages, budgetBytes, strategy: 'pipeline' });
      return { rest, plan };
    } catch (error) {
      if (!(error instanceof PartitionError)) throw error;
      if (error.reason === 'budget_exceeded') {
        return { rest, plan: planPartition(rest, shapes, { budgetBytes, strategy: 'pipeline' }) };
      }
      if (error.reason !== 'no_valid_cut' || stages === 1) throw error;
    }
  }
}
