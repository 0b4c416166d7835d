import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { childReaper, killProcessGroup, killProcessTree } from '../../../child-processes/index.js';
import { type CommandOutput, OUTPUT_TAIL_BYTES } from '../../../protocol/index.js';
import { taskEnvironment } from '../../task-limits.js';
import { OutputTail } from '../output-tail.js';
import type { ProcessOutcome } from '../run-process.js';
import { FromHost, type HostStart, type ToHost } from './messages.js';

/** How long a host may take to close (its pools, the Vite server) before it is killed. */
const CLOSE_GRACE_MS = 5_000;

/** What a file was when the host started: a change means its vitest config is stale. */
function fingerprint(path: string): string {
  try {
    const { mtimeMs, size } = statSync(path);
    return `${mtimeMs}:${size}`;
  } catch {
    return 'absent';
  }
}

export type HostReady =
  | { state: 'ready' }
  | { state: 'unsupported'; reason: string }
  | { state: 'gone' };

export interface WarmRun {
  files: readonly string[];
  testNamePattern?: string | undefined;
  reportFile: string;
  durationsFile: string;
}

interface Tails {
  stdout: OutputTail;
  stderr: OutputTail;
}

const newTails = (): Tails => ({
  stdout: new OutputTail(OUTPUT_TAIL_BYTES),
  stderr: new OutputTail(OUTPUT_TAIL_BYTES),
});

/**
 * One warm vitest process (host.ts) of a project, in its own process group, adopted by the
 * reaper so that it dies with the worker. Runs one task at a time.
 */
export class WarmVitest {
  readonly ready: Promise<HostReady>;
  /** Whether it has run a task: the next one runs warm. */
  used = false;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private tails = newTails();
  private onMessage: ((message: FromHost) => void) | undefined;
  private watched = new Map<string, string>();

  constructor(
    readonly key: string,
    start: HostStart & { script: string; cwd: string; env: Record<string, string> },
  ) {
    const reaper = childReaper();
    const { script, cwd, env, ...hostStart } = start;
    this.child = spawn(process.execPath, [script, JSON.stringify(hostStart)], {
      cwd,
      env: { ...taskEnvironment(), ...env, ...reaper.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const pid = this.child.pid;
    if (pid !== undefined) reaper.adopt(pid);
    this.child.stdout?.on('data', (chunk: Buffer) => this.tails.stdout.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.tails.stderr.push(chunk));
    this.child.on('message', (raw) => {
      const parsed = FromHost.safeParse(raw);
      if (parsed.success) this.onMessage?.(parsed.data);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => resolve());
      this.child.once('exit', () => {
        // Whatever its tests left running in its group goes with it.
        if (pid !== undefined) {
          killProcessGroup(pid);
          reaper.release(pid);
        }
        resolve();
      });
    });
    this.ready = new Promise<HostReady>((resolve) => {
      this.onMessage = (message) => {
        if (message.type === 'ready') {
          // The project's own manifests too: a changed dependency or tsconfig needs a fresh Vite.
          const watched = [
            ...message.configFiles,
            join(cwd, 'package.json'),
            join(cwd, 'tsconfig.json'),
          ];
          this.watched = new Map(watched.map((file) => [file, fingerprint(file)]));
          resolve({ state: 'ready' });
        } else if (message.type === 'unsupported') {
          resolve({ state: 'unsupported', reason: message.reason });
        }
      };
      void this.exited.then(() => resolve({ state: 'gone' }));
    });
  }

  /** What it printed since the last run ended (its start-up, before the first), as it ended. */
  outputSoFar(exitCode: number | null): CommandOutput {
    const { stdout, stderr } = this.tails;
    return {
      kind: 'command',
      exitCode,
      signal: this.child.signalCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
    };
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Whether its config, as it read it at start, is still what is on disk. */
  get fresh(): boolean {
    for (const [file, print] of this.watched) if (fingerprint(file) !== print) return false;
    return true;
  }

  /**
   * Runs `run` as `vitest run` would, ending as a process would: the host killed on timeout or
   * abort. What it printed since the last run (its start-up, for the first) is the output.
   */
  run(run: WarmRun, timeoutMs: number, signal: AbortSignal): Promise<ProcessOutcome> {
    const startedAt = performance.now();
    const elapsed = () => performance.now() - startedAt;
    return new Promise<ProcessOutcome>((resolve) => {
      let ending: 'timed_out' | 'aborted' | undefined;
      // Once settled, this run's listeners stay quiet: the host's exit, long after, belongs to
      // a later run, whose output they must not take.
      let settled = false;
      const timer = setTimeout(() => {
        ending = 'timed_out';
        this.kill();
      }, timeoutMs);
      const onAbort = () => {
        ending = 'aborted';
        this.kill();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (outcome: ProcessOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.onMessage = undefined;
        this.tails = newTails();
        resolve(outcome);
      };
      this.onMessage = (message) => {
        if (message.type !== 'done') return;
        // Output written before the message is in the pipes: read it before the run ends.
        setImmediate(() =>
          settle({
            ending: 'exited',
            output: this.outputSoFar(message.exitCode),
            durationMs: elapsed(),
          }),
        );
      };
      void this.exited.then(() => {
        const durationMs = elapsed();
        if (ending === 'aborted') settle({ ending, durationMs });
        else {
          const output = this.outputSoFar(this.child.exitCode);
          settle({ ending: ending ?? 'exited', output, durationMs });
        }
      });
      if (signal.aborted) return onAbort();
      const { testNamePattern, ...rest } = run;
      const message: ToHost = {
        type: 'run',
        ...rest,
        files: [...run.files],
        ...(testNamePattern === undefined ? {} : { testNamePattern }),
      };
      this.child.send(message, (error) => {
        if (error !== null) this.kill();
      });
      this.used = true;
    });
  }

  /** Lets vitest close (global teardown, pools) for a while, then kills what is left. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const message: ToHost = { type: 'close' };
    if (this.child.connected) this.child.send(message, () => {});
    const grace = setTimeout(() => this.kill(), CLOSE_GRACE_MS);
    await this.exited;
    clearTimeout(grace);
  }

  kill(): void {
    if (this.child.pid !== undefined) killProcessTree(this.child.pid);
  }
}
