import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveGroupMembers } from '../../../browser-worker/pool/process-group.js';
import { readProcessTable } from '../../../browser-worker/pool/process-table.js';
import { processTree, treeRssMb } from '../../../browser-worker/pool/process-tree.js';
import { removeTempDirs, tempDir } from '../../support/temp-dir.js';

afterAll(removeTempDirs);

interface FakeProcess {
  pid: number;
  parentPid: number;
  groupId: number;
  state?: string;
  rssKb?: number;
}

/** A /proc-like directory with one `<pid>/status` file per process, as Linux writes them. */
function fakeProc(processes: FakeProcess[]): string {
  const root = tempDir();
  for (const { pid, parentPid, groupId, state = 'S (sleeping)', rssKb } of processes) {
    mkdirSync(join(root, String(pid)));
    const lines = [
      `Name:\tchromium`,
      `State:\t${state}`,
      `PPid:\t${parentPid}`,
      `NSpgid:\t${groupId}`,
      ...(rssKb === undefined ? [] : [`VmRSS:\t  ${rssKb} kB`]),
    ];
    writeFileSync(join(root, String(pid), 'status'), `${lines.join('\n')}\n`);
  }
  mkdirSync(join(root, 'self'));
  mkdirSync(join(root, '77')); // a process that exited while being read
  return root;
}

const BROWSER = [
  { pid: 1, parentPid: 0, groupId: 1, rssKb: 1000 },
  { pid: 100, parentPid: 1, groupId: 100, rssKb: 204_800 },
  { pid: 101, parentPid: 100, groupId: 100, rssKb: 102_400 },
  { pid: 102, parentPid: 101, groupId: 100, rssKb: 51_200 },
  { pid: 103, parentPid: 100, groupId: 100, state: 'Z (zombie)' },
  // Re-parented to init after its parent crashed, still in the browser's group.
  { pid: 104, parentPid: 1, groupId: 100, rssKb: 10_240 },
  { pid: 200, parentPid: 1, groupId: 200, rssKb: 999_999 },
];

describe('process table', () => {
  it('reads every process and skips entries that are not processes or have gone', async () => {
    const table = await readProcessTable(fakeProc(BROWSER));
    expect(table.map((entry) => entry.pid).sort((a, b) => a - b)).toEqual([
      1, 100, 101, 102, 103, 104, 200,
    ]);
    expect(table.find((entry) => entry.pid === 103)).toEqual({
      pid: 103,
      parentPid: 100,
      groupId: 100,
      zombie: true,
      rssKb: 0,
    });
  });

  it('sums the resident memory of a process and its descendants', async () => {
    const table = await readProcessTable(fakeProc(BROWSER));
    expect(processTree(table, 100).map((entry) => entry.pid)).toEqual([100, 101, 103, 102]);
    expect(treeRssMb(table, 100)).toBe(350);
    expect(treeRssMb(table, 999)).toBe(0);
  });

  it('finds the live members of a process group, orphans included, zombies not', async () => {
    const table = await readProcessTable(fakeProc(BROWSER));
    const live = liveGroupMembers(table, 100).map((entry) => entry.pid);
    expect(live.sort((a, b) => a - b)).toEqual([100, 101, 102, 104]);
  });
});
