import type { ModelGraph } from './model-graph.js';

/** Who produces and who reads each value, by position in `graph.nodes`. */
export interface GraphIndex {
  producer: ReadonlyMap<string, number>;
  /** Each reader once, in order. */
  consumers: ReadonlyMap<string, readonly number[]>;
  graphOutputs: ReadonlySet<string>;
}

export function indexGraph(graph: ModelGraph): GraphIndex {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((node, i) => {
    for (const output of node.outputs) producer.set(output, i);
    for (const input of node.inputs) {
      const readers = consumers.get(input);
      if (readers === undefined) consumers.set(input, [i]);
      else if (readers[readers.length - 1] !== i) readers.push(i);
    }
  });
  return { producer, consumers, graphOutputs: new Set(graph.outputs) };
}
