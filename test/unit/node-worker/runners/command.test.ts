import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { hasExited } from '../../../../child-processes/process-tree.js';
import { commandRunner } from '../../../../node-worker/runners/command.js';
import { type Assignment, OUTPUT_TAIL_BYTES } from '../../../../protocol/index.js';
import { pidsIn } from './process-helpers.js';

type CommandAssignment = Extract<Assignment, { kind: 'command' }>;

function assignment(
  payload: Partial<CommandAssignment['payload']> & { command: string },
  timeoutMs = 10_000,
): CommandAssignment {
  return {
    kind: 'command',
    taskId: 't1',
    attempt: 1,
    leaseToken: 1,
    timeoutMs,
    payload: { args: [], env: {}, shell: false, ...payload },
  };
}

const run = (task: CommandAssignment, signal = new AbortController().signal) =>
  commandRunner().run(task, signal);

describe('command runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dtf-command-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a zero exit succeeds with the output tails', async () => {
    const result = await run(
      assignment({
        command: 'sh',
        args: ['-c', 'echo "hello $WHO"; echo oops >&2; pwd'],
        env: { WHO: 'world' },
        cwd: dir,
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({
      kind: 'command',
      exitCode: 0,
      signal: null,
      stdout: `hello world\n${dir}\n`,
      stderr: 'oops\n',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
  });

  test('shell mode runs the command through sh', async () => {
    const result = await run(assignment({ command: 'echo one | tr o O', shell: true }));
    expect(result.output).toMatchObject({ stdout: 'One\n' });
  });

  test('shell mode passes args as positional parameters, never re-parsed', async () => {
    const result = await run(
      assignment({ command: 'printf "%s|" "$@"', args: ['a b', '$(id)', ';'], shell: true }),
    );
    expect(result.output).toMatchObject({ stdout: 'a b|$(id)|;|' });
  });

  test('a nonzero exit fails and names the code', async () => {
    const result = await run(assignment({ command: 'sh', args: ['-c', 'exit 3'] }));
    expect(result).toMatchObject({ status: 'failed', error: 'exited with code 3' });
    expect(result.output).toMatchObject({ exitCode: 3, signal: null });
  });

  test('death by signal names the signal', async () => {
    const result = await run(assignment({ command: 'sh', args: ['-c', 'kill -SEGV $$'] }));
    expect(result).toMatchObject({ status: 'failed', error: 'killed by SIGSEGV' });
  });

  test('long output keeps its last bytes', async () => {
    const script = `process.stdout.write('x'.repeat(${OUTPUT_TAIL_BYTES * 2}) + 'END')`;
    const result = await run(assignment({ command: process.execPath, args: ['-e', script] }));
    expect(result.output?.kind).toBe('command');
    if (result.output?.kind !== 'command') return;
    expect(result.output.stdout).toHaveLength(OUTPUT_TAIL_BYTES);
    expect(result.output.stdout.endsWith('xEND')).toBe(true);
    expect(result.output.stdoutTruncated).toBe(true);
    expect(result.output.stderrTruncated).toBe(false);
  });

  test('a timeout kills the whole tree, including a child that left the process group', async () => {
    const script = 'sleep 30 & echo $!; setsid sleep 30 & echo $!; echo $$; wait';
    const result = await run(assignment({ command: 'sh', args: ['-c', script] }, 1_000));
    expect(result).toMatchObject({
      status: 'timed_out',
      error: 'timed out after 1000 ms; process tree killed',
    });
    const pids = pidsIn(result.output?.kind === 'command' ? result.output.stdout : '');
    expect(pids).toHaveLength(3);
    await vi.waitFor(() => expect(pids.filter((pid) => !hasExited(pid))).toEqual([]));
  });

  test('an abort kills the tree', async () => {
    const pidFile = join(dir, 'pids');
    const script = 'sleep 30 & echo $! $$ > "$PIDS.tmp"; mv "$PIDS.tmp" "$PIDS"; wait';
    const controller = new AbortController();
    const running = run(
      assignment({ command: 'sh', args: ['-c', script], env: { PIDS: pidFile } }),
      controller.signal,
    );
    await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true));
    const pids = pidsIn(readFileSync(pidFile, 'utf8'));
    controller.abort('cancelled');
    expect(await running).toMatchObject({ status: 'failed', error: 'aborted' });
    expect(pids).toHaveLength(2);
    await vi.waitFor(() => expect(pids.filter((pid) => !hasExited(pid))).toEqual([]));
  });

  test('a missing program gives a clear spawn error', async () => {
    const result = await run(assignment({ command: 'dtf-no-such-program' }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^spawn failed: .*dtf-no-such-program ENOENT/);
  });

  test('a missing working directory is named as such', async () => {
    const cwd = join(dir, 'absent');
    const result = await run(assignment({ command: 'true', cwd }));
    expect(result).toMatchObject({
      status: 'failed',
      error: `spawn failed: working directory ${cwd} does not exist`,
    });
  });
});
