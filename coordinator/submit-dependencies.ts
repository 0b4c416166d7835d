import type { ProtocolError, TaskSpec } from '../protocol/index.js';

interface NewTask {
  id: string;
  spec: TaskSpec;
}

function invalid(message: string): { error: ProtocolError } {
  return { error: { code: 'invalid_message', message } };
}

/** Where a task of this submit is named in messages: its ref if it has one, else its index. */
function nameOf(tasks: readonly NewTask[], index: number): string {
  const ref = tasks[index]!.spec.ref;
  return ref === undefined ? `tasks[${index}]` : `'${ref}'`;
}

/** Tasks of a cycle named in the refusal: a longer one is cut short, its length given. */
const MAX_NAMED_IN_CYCLE = 10;

/** `'a' → 'b' → 'a'`, with at most `MAX_NAMED_IN_CYCLE` tasks before the first comes back. */
function describeCycle(tasks: readonly NewTask[], cycle: readonly number[]): string {
  const length = cycle.length - 1;
  const names = cycle.slice(0, Math.min(length, MAX_NAMED_IN_CYCLE)).map((i) => nameOf(tasks, i));
  if (length > MAX_NAMED_IN_CYCLE) names.push(`… (${length} tasks in all)`);
  names.push(nameOf(tasks, cycle[0]!));
  return names.join(' → ');
}

/**
 * A cycle among the submit's tasks, as the indexes along it (first repeated at the end), or
 * undefined. Tasks already stored cannot be part of one: they cannot depend on new tasks.
 * Depth first with a stack of its own: a chain may be as long as the submit.
 */
function findCycle(edges: ReadonlyArray<readonly number[]>): number[] | undefined {
  const UNSEEN = 0;
  const ON_PATH = 1;
  const DONE = 2;
  const mark = new Uint8Array(edges.length);
  // The path from the root, and for each node on it the index of the next edge to follow.
  const path: number[] = [];
  const nextEdge: number[] = [];
  for (let root = 0; root < edges.length; root++) {
    if (mark[root] !== UNSEEN) continue;
    mark[root] = ON_PATH;
    path.push(root);
    nextEdge.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const edge = nextEdge[top]!;
      const next = edges[node]![edge];
      if (next === undefined) {
        mark[node] = DONE;
        path.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      if (mark[next] === ON_PATH) return [...path.slice(path.indexOf(next)), next];
      if (mark[next] === UNSEEN) {
        mark[next] = ON_PATH;
        path.push(next);
        nextEdge.push(0);
      }
    }
  }
  return undefined;
}

/**
 * Turns every `dependsOn` entry into a task id (a ref of another task in this submit, or the
 * id of a stored task), and refuses the submit when a ref is used twice, an entry names
 * nothing, or the tasks depend on each other in a cycle. Nothing is stored on refusal.
 */
export function resolveDependencies(
  tasks: readonly NewTask[],
  isStoredTask: (id: string) => boolean,
): { tasks: NewTask[] } | { error: ProtocolError } {
  const byRef = new Map<string, number>();
  for (const [index, { spec }] of tasks.entries()) {
    if (spec.ref === undefined) continue;
    const other = byRef.get(spec.ref);
    if (other !== undefined) {
      return invalid(`tasks[${index}].ref: '${spec.ref}' is also the ref of tasks[${other}]`);
    }
    byRef.set(spec.ref, index);
  }
  if (tasks.every(({ spec }) => spec.dependsOn === undefined)) return { tasks: [...tasks] };

  const edges: number[][] = tasks.map(() => []);
  const resolved: NewTask[] = [];
  for (const [index, task] of tasks.entries()) {
    const { dependsOn } = task.spec;
    if (dependsOn === undefined) {
      resolved.push(task);
      continue;
    }
    const parents = new Set<string>();
    for (const entry of dependsOn) {
      const parent = byRef.get(entry);
      if (parent !== undefined) {
        edges[index]!.push(parent);
        parents.add(tasks[parent]!.id);
      } else if (isStoredTask(entry)) {
        parents.add(entry);
      } else {
        return invalid(
          `tasks[${index}].dependsOn: '${entry}' is neither a task id nor the ref of a task in this submit`,
        );
      }
    }
    resolved.push({ id: task.id, spec: { ...task.spec, dependsOn: [...parents] } });
  }
  const cycle = findCycle(edges);
  if (cycle !== undefined) {
    return invalid(
      `tasks[${cycle[0]}].dependsOn: a dependency cycle: ${describeCycle(tasks, cycle)}`,
    );
  }
  return { tasks: resolved };
}
