import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { commandRunner } from '../../../node-worker/runners/command.js';
import {
  checkCommand,
  type TaskLimits,
  withResourceLimits,
} from '../../../node-worker/task-limits.js';
import type { Assignment } from '../../../protocol/index.js';

type CommandAssignment = Extract<Assignment, { kind: 'command' }>;

const task = (payload: Partial<CommandAssignment['payload']> & { command: string }) =>
  ({
    kind: 'command',
    taskId: 't1',
    attempt: 1,
    leaseToken: 1,
    timeoutMs: 20_000,
    payload: { args: [], env: {}, shell: false, ...payload },
  }) satisfies CommandAssignment;

const run = (limits: TaskLimits, payload: Parameters<typeof task>[0]) =>
  commandRunner(limits).run(task(payload), new AbortController().signal);

describe("a worker's limits on command tasks", () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'dtf-limits-test-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('--allow-command: a name matches on the PATH, a path only itself; no shell script then', () => {
    const limits = { allowCommands: ['node', '/usr/bin/env'] };
    expect(checkCommand({ command: 'node', shell: false }, limits)).toEqual({ cwd: undefined });
    expect(checkCommand({ command: '/usr/bin/env', shell: false }, limits)).not.toHaveProperty(
      'refused',
    );
    // A program of that name elsewhere is another program.
    expect(checkCommand({ command: '/tmp/node', shell: false }, limits)).toEqual({
      refused:
        "this worker does not run '/tmp/node': it runs only node, /usr/bin/env (--allow-command)",
    });
    expect(checkCommand({ command: 'env', shell: false }, limits)).toHaveProperty('refused');
    expect(checkCommand({ command: 'node -e 1', shell: true }, limits)).toEqual({
      refused:
        'this worker runs only node, /usr/bin/env (--allow-command), and no shell script, which could run any program',
    });
  });

  test('--deny-shell refuses scripts, names the way out', () => {
    expect(checkCommand({ command: 'echo hi', shell: true }, { denyShell: true })).toEqual({
      refused:
        'this worker runs no shell scripts (--deny-shell): give the program and its args instead',
    });
    expect(checkCommand({ command: 'echo', shell: false }, { denyShell: true })).toEqual({
      cwd: undefined,
    });
  });

  test('--work-dir: a task runs there or below, never outside, a symbolic link out included', () => {
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/etc', join(dir, 'escape'));
    const limits = { workDir: dir };
    expect(checkCommand({ command: 'pwd', shell: false }, limits)).toEqual({ cwd: dir });
    expect(checkCommand({ command: 'pwd', shell: false, cwd: 'sub' }, limits)).toEqual({
      cwd: join(dir, 'sub'),
    });
    for (const cwd of ['/', '..', 'sub/../..', 'escape', join(dir, 'escape')]) {
      const checked = checkCommand({ command: 'pwd', shell: false, cwd }, limits);
      expect(checked, cwd).toHaveProperty('refused');
      expect((checked as { refused: string }).refused).toContain('(--work-dir)');
    }
  });

  test('a refused task ends unsupported with the reason, and nothing runs', async () => {
    const result = await run(
      { allowCommands: ['node'] },
      { command: 'touch', args: [join(dir, 'ran')] },
    );
    expect(result).toMatchObject({
      status: 'unsupported',
      error: expect.stringContaining("'touch'"),
    });
  });

  test("no secret in the worker's environment reaches a task", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      DTF_TOKEN: 'secret-token',
      DTF_ADMIN_KEY: 'secret-admin',
      DTF_WORKER_TOKEN: 'secret-worker',
      DTF_CLUSTER_TOKEN: 'secret-cluster',
      DTF_HARMLESS: 'kept',
    });
    try {
      const result = await run({}, { command: 'env' });
      const output = result.output as { stdout: string };
      expect(output.stdout).not.toContain('secret-');
      expect(output.stdout).toContain('DTF_HARMLESS=kept');
    } finally {
      process.env = saved;
    }
  });

  test('--task-cpu-seconds kills a task that spins past its CPU time, saying why', async () => {
    expect(withResourceLimits('node', ['x.js'], { cpuSeconds: 2, memoryMb: 64 })).toEqual([
      'prlimit',
      ['--cpu=2:3', `--data=${64 * 1024 * 1024}`, '--', 'node', 'x.js'],
    ]);
    const result = await run(
      { cpuSeconds: 1 },
      { command: process.execPath, args: ['-e', 'for (;;) {}'] },
    );
    expect(result).toMatchObject({
      status: 'failed',
      error: 'killed by SIGXCPU: it used up its CPU time (--task-cpu-seconds)',
    });
  });

  test('--task-memory-mb: an allocation past it fails in the task, which ends failed', async () => {
    const result = await run(
      { memoryMb: 256 },
      {
        command: process.execPath,
        args: [
          '-e',
          'const a = []; for (let i = 0; i < 100; i++) a.push(Buffer.alloc(10 << 20, 1));',
        ],
      },
    );
    expect(result).toMatchObject({ status: 'failed', error: 'exited with code 1' });
    expect((result.output as { stderr: string }).stderr).toContain('allocation failed');
  });
});
