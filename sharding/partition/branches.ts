import type { GraphIndex } from './graph-index.js';
import type { ModelGraph } from './model-graph.js';

/** Nodes that run together in a component plan: one tower, what joins them, or what both read. */
export interface NodeGroup {
  /**
   * A branch is named after the graph input it starts from; `join` holds the nodes that read
   * more than one branch and what follows them; `shared` holds constant-only nodes more than
   * one branch reads.
   */
  name: string;
  /** Positions in `graph.nodes`, in topological order. */
  members: number[];
}

const NONE = -1;
const JOIN = -2;
const SHARED = -3;

/**
 * The graph's independent branches: nodes are labelled by the graph inputs they depend on; a
 * node depending on one input belongs to that input's branch, one depending on several (and
 * everything after it) to the join. Nodes depending on no input (constants) go with the
 * branch that reads them, to the join if only the join does, or to `shared` if several
 * branches do. Returns the groups (shared first, then the branches in the order of their
 * inputs, then the join), or undefined when fewer than two branches have nodes.
 */
export function branchGroups(graph: ModelGraph, index: GraphIndex): NodeGroup[] | undefined {
  const rootOf = new Map(graph.inputs.map((name, i) => [name, i]));
  const label = new Array<number>(graph.nodes.length).fill(NONE);
  graph.nodes.forEach((node, i) => {
    let joined = NONE;
    for (const input of node.inputs) {
      const producer = index.producer.get(input);
      const from = producer === undefined ? (rootOf.get(input) ?? NONE) : label[producer]!;
      if (from === NONE || from === joined) continue;
      joined = joined === NONE ? from : JOIN;
    }
    label[i] = joined;
  });
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    if (label[i] === NONE) label[i] = constantGroup(graph, index, label, i);
  }
  const branches = graph.inputs
    .map((name, root) => ({ name, members: membersLabelled(label, root) }))
    .filter((group) => group.members.length > 0);
  if (branches.length < 2) return undefined;
  return [
    { name: 'shared', members: membersLabelled(label, SHARED) },
    ...branches,
    { name: 'join', members: membersLabelled(label, JOIN) },
  ].filter((group) => group.members.length > 0);
}

/** Where a node that depends on no graph input goes, from where its readers went. */
function constantGroup(
  graph: ModelGraph,
  index: GraphIndex,
  label: number[],
  node: number,
): number {
  const readers = new Set(
    graph.nodes[node]!.outputs.flatMap((value) =>
      (index.consumers.get(value) ?? []).map((reader) => label[reader]!),
    ),
  );
  const branches = [...readers].filter((group) => group >= 0);
  if (readers.has(SHARED) || branches.length > 1) return SHARED;
  if (branches.length === 1) return branches[0]!;
  return readers.has(JOIN) ? JOIN : SHARED;
}

function membersLabelled(label: readonly number[], group: number): number[] {
  return label.flatMap((l, i) => (l === group ? [i] : []));
}
