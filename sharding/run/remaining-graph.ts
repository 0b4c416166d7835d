import type { ModelGraph } from '../partition/index.js';

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
