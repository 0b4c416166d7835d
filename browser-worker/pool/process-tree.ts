import type { ProcessEntry } from './process-table.js';

/** The process and all its descendants that are in the table. */
export function processTree(table: readonly ProcessEntry[], rootPid: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    children.set(entry.parentPid, [...(children.get(entry.parentPid) ?? []), entry]);
  }
  const tree = table.filter((entry) => entry.pid === rootPid);
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!.pid) ?? []));
  return tree;
}

/** The resident memory of a process tree in MB. */
export function treeRssMb(table: readonly ProcessEntry[], rootPid: number): number {
  const kb = processTree(table, rootPid).reduce((sum, entry) => sum + entry.rssKb, 0);
  return kb / 1024;
}
