import type pkg from 'onnx-proto';

type GraphProto = pkg.onnx.IGraphProto;

/** The subgraphs a node holds in its attributes: If's branches, Loop's and Scan's bodies. */
function subgraphsOf(node: pkg.onnx.INodeProto): GraphProto[] {
  return (node.attribute ?? []).flatMap((attribute) => [
    ...(attribute.g ? [attribute.g] : []),
    ...(attribute.graphs ?? []),
  ]);
}

/**
 * The values of the enclosing graph that `node`'s subgraphs read (ONNX lets a subgraph use
 * any value in scope where its node stands), at any depth of nesting. They are inputs of the
 * node as far as ordering and cutting go.
 */
export function outerScopeReads(node: pkg.onnx.INodeProto): string[] {
  const reads = new Set<string>();
  for (const graph of subgraphsOf(node)) {
    for (const name of graphOuterReads(graph)) reads.add(name);
  }
  return [...reads];
}

function graphOuterReads(graph: GraphProto): Set<string> {
  const defined = new Set<string>([
    ...(graph.input ?? []).map((value) => value.name ?? ''),
    ...(graph.initializer ?? []).map((tensor) => tensor.name ?? ''),
    ...(graph.node ?? []).flatMap((node) => node.output ?? []),
  ]);
  const reads = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const name of [...(node.input ?? []), ...outerScopeReads(node)]) {
      if (name !== '' && !defined.has(name)) reads.add(name);
    }
  }
  return reads;
}
