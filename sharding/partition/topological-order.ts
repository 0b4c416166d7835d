import { PartitionError } from './errors.js';

/** What ordering needs of a node: its name and op for messages, the values it reads and writes. */
export interface OrderedNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

/**
 * The nodes' positions in a topological order (Kahn's algorithm). Of the nodes ready at each
 * step the one first in the file goes first, so a file already in order keeps its order.
 * Throws `cycle`, naming the nodes of one cycle, when there is no such order.
 */
export function topologicalOrder(nodes: readonly OrderedNode[]): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const output of node.outputs) producer.set(output, i);
  });
  const waitingOn = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const from of new Set(node.inputs.map((input) => producer.get(input)))) {
      if (from === undefined) continue;
      waitingOn[i]!++;
      dependents[from]!.push(i);
    }
  });
  const ready = new MinHeap();
  waitingOn.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: number[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const dependent of dependents[next]!) {
      if (--waitingOn[dependent]! === 0) ready.push(dependent);
    }
  }
  if (order.length < nodes.length) throw cycleError(nodes, producer, waitingOn);
  return order;
}

/** Walks back from a node left waiting until a node repeats: the walk from there is a cycle. */
function cycleError(
  nodes: readonly OrderedNode[],
  producer: ReadonlyMap<string, number>,
  waitingOn: readonly number[],
): PartitionError {
  const waiting = (i: number | undefined) => i !== undefined && waitingOn[i]! > 0;
  const path: number[] = [];
  const seenAt = new Map<number, number>();
  let at = waitingOn.findIndex((count) => count > 0);
  while (!seenAt.has(at)) {
    seenAt.set(at, path.length);
    path.push(at);
    const from = nodes[at]!.inputs.map((input) => producer.get(input)).find(waiting);
    at = from!;
  }
  // The walk went from consumer to producer; the cycle reads in data-flow order reversed,
  // told from the node of it first in the file.
  const cycle = path.slice(seenAt.get(at)).reverse();
  const first = cycle.indexOf(cycle.reduce((low, i) => Math.min(low, i)));
  cycle.push(...cycle.splice(0, first));
  const names = [...cycle, cycle[0]!].map((i) => `'${nodes[i]!.name}' (${nodes[i]!.opType})`);
  return new PartitionError(
    'cycle',
    `the graph has a cycle, so it has no order to cut: ${names.join(' → ')}`,
  );
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  push(item: number): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= item) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
