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

/**
 * A cycle among the submit's tasks, as the indexes along it (first repeated at the end), or
 * undefined. Tasks already stored cannot be part of one: they cannot depend on new tasks.
 */
function findCycle(edges: ReadonlyArray<readonly number[]>): number[] | undefined {
  const UNSEEN = 0;
  const ON_PATH = 1;
  const DONE = 2;
  const mark = new Array<number>(edges.length).fill(UNSEEN);
  const path: number[] = [];
  const visit = (node: number): number[] | undefined => {
    mark[node] = ON_PATH;
    path.push(node);
    for (const next of edges[node]!) {
      if (mark[next] === ON_PATH) return [...path.slice(path.indexOf(next)), next];
      if (mark[next] === UNSEEN) {
        const cycle = visit(next);
        if (cycle !== undefined) return cycle;
      }
    }
    path.pop();
    mark[node] = DONE;
    return undefined;
  };
  for (let node = 0; node < edges.length; node++) {
    if (mark[node] !== UNSEEN) continue;
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
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
    const names = cycle.map((index) => nameOf(tasks, index)).join(' → ');
    return invalid(`tasks[${cycle[0]}].dependsOn: a dependency cycle: ${names}`);
  }
  return { tasks: resolved };
}
