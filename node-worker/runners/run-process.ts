import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { childReaper, killProcessGroup, killProcessTree } from '../../child-processes/index.js';
import { type CommandOutput, OUTPUT_TAIL_BYTES } from '../../protocol/index.js';
import { type TaskLimits, taskEnvironment, withResourceLimits } from '../task-limits.js';
import { OutputTail } from './output-tail.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  shell: boolean;
  timeoutMs: number;
  /** CPU and memory limits of each process it starts (see `task-limits.ts`). */
  limits?: Pick<TaskLimits, 'cpuSeconds' | 'memoryMb'> | undefined;
}

export type ProcessOutcome =
  | { ending: 'exited' | 'timed_out'; output: CommandOutput; durationMs: number }
  | { ending: 'aborted'; durationMs: number }
  | { ending: 'spawn_failed'; error: string; durationMs: number };

/**
 * How long to wait for stdout/stderr to reach end-of-file after the process exited. Only a
 * descendant that escaped every kill can hold the pipes open that long.
 */
const STDIO_DRAIN_MS = 1_000;

function spawnError(err: Error, cwd: string | undefined): string {
  // Node reports a missing working directory as ENOENT of the program, which misleads.
  if ((err as NodeJS.ErrnoException).code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) {
    return `spawn failed: working directory ${cwd} does not exist`;
  }
  return `spawn failed: ${err.message}`;
}

/**
 * Runs a program in its own process group, keeping the tails of its output. A timeout or an
 * abort kills the whole process tree; so does a normal exit, for anything left in the group;
 * and the reaper kills it all should this process die first.
 */
export function runProcess(spec: ProcessSpec, signal: AbortSignal): Promise<ProcessOutcome> {
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  if (signal.aborted) return Promise.resolve({ ending: 'aborted', durationMs: 0 });

  const reaper = childReaper();
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      // With `shell`, args reach the script as $1, $2, … and are never re-parsed by the shell.
      const [program, programArgs] = spec.shell
        ? ['/bin/sh', ['-c', spec.command, 'sh', ...spec.args]]
        : [spec.command, spec.args];
      const [file, argv] = withResourceLimits(program, programArgs, spec.limits ?? {});
      child = spawn(file, argv, {
        cwd: spec.cwd,
        env: { ...taskEnvironment(), ...spec.env, ...reaper.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (child.pid !== undefined) reaper.adopt(child.pid);
    } catch (err) {
      resolve({ ending: 'spawn_failed', error: spawnError(err as Error, spec.cwd), durationMs: 0 });
      return;
    }

    const stdout = new OutputTail(OUTPUT_TAIL_BYTES);
    const stderr = new OutputTail(OUTPUT_TAIL_BYTES);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    let aborted = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const killTree = () => {
      if (child.pid !== undefined) killProcessTree(child.pid);
    };
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const settle = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
      if (child.pid !== undefined) reaper.release(child.pid);
      resolve(outcome);
    };
    const settleEnded = () => {
      const durationMs = elapsed();
      if (aborted) return settle({ ending: 'aborted', durationMs });
      const output: CommandOutput = {
        kind: 'command',
        exitCode: child.exitCode,
        signal: child.signalCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
      };
      settle({ ending: timedOut ? 'timed_out' : 'exited', output, durationMs });
    };

    child.once('error', (err) => {
      if (child.pid === undefined) {
        settle({ ending: 'spawn_failed', error: spawnError(err, spec.cwd), durationMs: elapsed() });
      }
    });
    child.once('exit', () => {
      if (child.pid !== undefined) killProcessGroup(child.pid);
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settleEnded();
      }, STDIO_DRAIN_MS);
    });
    child.once('close', settleEnded);
  });
}
