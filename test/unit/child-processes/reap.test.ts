import { describe, expect, it } from 'vitest';
import { type ProcessStat, parseStat } from '../../../child-processes/process-tree.js';
import { orphans } from '../../../child-processes/reap.js';

function proc(pid: number, parentPid: number, extra: Partial<ProcessStat> = {}): ProcessStat {
  return { pid, parentPid, groupId: pid, startTime: `t${pid}`, zombie: false, ...extra };
}

const pids = (found: ProcessStat[]) => found.map((entry) => entry.pid).sort((a, b) => a - b);
const unmarked = () => false;

describe('orphans', () => {
  // 10 is DTF (gone), 20 a task it adopted with a child and a grandchild, 30 a browser.
  const table = [
    proc(1, 0),
    proc(20, 1),
    proc(21, 20, { groupId: 20 }),
    proc(22, 21, { groupId: 20 }),
    proc(30, 1),
    proc(31, 30, { groupId: 30 }),
    proc(99, 1),
  ];

  it('are the adopted roots that are still the same process, with all their descendants', () => {
    const adopted = new Map([
      [20, 't20'],
      [30, 'earlier'], // pid 30 now belongs to a process started after the adopted one
    ]);
    expect(pids(orphans(table, adopted, unmarked, 99))).toEqual([20, 21, 22]);
  });

  it('include every process that carries the owner mark, with its descendants', () => {
    const marked = (pid: number) => pid === 21 || pid === 30;
    expect(pids(orphans(table, new Map(), marked, 99))).toEqual([21, 22, 30, 31]);
  });

  it('never include the reaper itself or a zombie', () => {
    const withZombie = [...table, proc(23, 20, { zombie: true })];
    const adopted = new Map([[20, 't20']]);
    expect(pids(orphans(withZombie, adopted, (pid) => pid === 22, 22))).toEqual([20, 21]);
  });
});

describe('parseStat', () => {
  it('reads parent, group, start time and state past a command name with spaces', () => {
    const stat =
      '4242 (my (odd) cmd) S 4000 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';
    expect(parseStat(4242, stat)).toEqual({
      pid: 4242,
      parentPid: 4000,
      groupId: 4242,
      startTime: '987654',
      zombie: false,
    });
    expect(parseStat(7, '7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0')?.zombie).toBe(true);
  });
});
