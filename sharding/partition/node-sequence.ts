import type { GraphIndex } from './graph-index.js';
import type { GraphNode, ModelGraph } from './model-graph.js';

/** One value a node of the sequence produces. */
export interface SequenceValue {
  name: string;
  /** The last position in the sequence that reads it; -1 when none does. */
  lastRead: number;
  /** Read outside the sequence, or a graph output: a stage producing it outputs it. */
  leaves: boolean;
}

/**
 * A run of nodes in topological order (the whole graph, or one branch of it) that stages are
 * cut from, with where in it each value is produced and last read.
 */
export class NodeSequence {
  readonly nodes: readonly GraphNode[];
  /** Per position, the values its node produces. */
  readonly produces: readonly (readonly SequenceValue[])[];
  private readonly producedAt = new Map<string, number>();

  constructor(
    readonly graph: ModelGraph,
    index: GraphIndex,
    /** Positions in `graph.nodes`. */
    readonly members: readonly number[],
  ) {
    const position = new Map<number, number>();
    members.forEach((node, at) => {
      position.set(node, at);
      for (const value of graph.nodes[node]!.outputs) this.producedAt.set(value, at);
    });
    this.nodes = members.map((node) => graph.nodes[node]!);
    this.produces = this.nodes.map((node) =>
      node.outputs.map((name) => {
        const readers = index.consumers.get(name) ?? [];
        return {
          name,
          lastRead: readers.reduce(
            (last, reader) => Math.max(last, position.get(reader) ?? -1),
            -1,
          ),
          leaves: index.graphOutputs.has(name) || readers.some((reader) => !position.has(reader)),
        };
      }),
    );
  }

  get length(): number {
    return this.members.length;
  }

  /** Where in the sequence `value` is produced; undefined when it comes from outside. */
  producerOf(value: string): number | undefined {
    return this.producedAt.get(value);
  }
}
