import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  hasExited,
  liveProcessTree,
  readCommandLine,
} from '../../../child-processes/process-tree.js';

describe.skipIf(!existsSync('/proc/self/stat'))('process tree from /proc', () => {
  it('reads a process and its arguments, and sees a gone one as exited', () => {
    expect(hasExited(process.pid)).toBe(false);
    expect(readCommandLine(process.pid)?.[0]).toBe(process.argv0);
    const gone = spawnSync('true').pid;
    expect(hasExited(gone)).toBe(true);
    expect(readCommandLine(gone)).toBeUndefined();
  });

  it('lists the live tree of a process, the root first', async () => {
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const tree = liveProcessTree(process.pid).map((entry) => entry.pid);
      expect(tree[0]).toBe(process.pid);
      expect(tree).toContain(child.pid);
      expect(liveProcessTree(child.pid!).map((entry) => entry.pid)).toEqual([child.pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
