import { describe, expect, it } from 'vitest';
import { isStaleScratchDir } from '../../../child-processes/scratch-dir.js';

const running = new Map([[100, '5000']]);
const startTimeOf = (pid: number) => running.get(pid);
const stale = (name: string) => isStaleScratchDir(name, '4026531836', startTimeOf);

describe('isStaleScratchDir', () => {
  it('is the dir of a process of this PID namespace that has gone', () => {
    expect(stale('dtf-4026531836-200-7000-Ab3dEf')).toBe(true);
  });

  it('is the dir of an earlier process whose pid a later one took', () => {
    expect(stale('dtf-4026531836-100-4999-Ab3dEf')).toBe(true);
    expect(stale('dtf-4026531836-100-5000-Ab3dEf')).toBe(false);
  });

  it('never is the dir of another PID namespace, whose pids are not ours to look up', () => {
    expect(stale('dtf-4026532175-200-7000-Ab3dEf')).toBe(false);
  });

  it('never is a dir whose name says no owner', () => {
    for (const name of ['dtf-Ab3dEf', 'dtf-200-Ab3dEf', 'dtf-4026531836-200-7000-x', 'other']) {
      expect(stale(name)).toBe(false);
    }
  });
});
