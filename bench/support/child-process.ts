import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { withDeadline } from './deadline.js';

const STARTUP_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;

/** A child process that has printed the line it was waited for. */
export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The capture groups of the line that matched. */
  readonly match: RegExpExecArray;
  /** The last few thousand characters it wrote to stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within ten seconds; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: resolves once it has exited. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exit = exited(child);
  child.kill('SIGTERM');
  try {
    await withDeadline(`process ${child.pid} after SIGTERM`, EXIT_DEADLINE_MS, exit);
  } catch {
    child.kill('SIGKILL');
    await exit;
  }
}

/**
 * Spawns `command args` with its stdout and stderr piped (and drained, so it never blocks on
 * them) and resolves once a line of its stdout matches `ready`. Rejects, after killing it, if
 * it exits or stays silent for thirty seconds first.
 */
export async function spawnUntilLine(
  command: string,
  args: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const lines = createInterface({ input: child.stdout! });
  const started = new Promise<RegExpExecArray>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = ready.exec(line);
      if (match !== null) resolve(match);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`${command} exited with ${code ?? signal} before printing ${ready}`)),
    );
  });
  try {
    const match = await withDeadline(`${command} printing ${ready}`, STARTUP_DEADLINE_MS, started);
    return {
      child,
      pid: child.pid!,
      match,
      stderrTail: () => stderr,
      stop: () => stopChild(child),
      kill: () => {
        const exit = exited(child);
        child.kill('SIGKILL');
        return exit;
      },
    };
  } catch (error) {
    await stopChild(child);
    const tail = stderr.trim();
    throw new Error(`${(error as Error).message}${tail === '' ? '' : `\nits stderr:\n${tail}`}`);
  }
}

/** Runs `fn` with a started process, which is stopped afterwards whatever happens. */
export async function withProcess<T>(
  start: Promise<StartedProcess>,
  fn: (process: StartedProcess) => Promise<T>,
): Promise<T> {
  const started = await start;
  try {
    return await fn(started);
  } finally {
    await started.stop();
  }
}
