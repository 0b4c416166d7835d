import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface CoordinatorProcess {
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawning the process to its "listening" line. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts `dtf coordinator` on a data dir as its own process and waits until it listens. */
export function startCoordinatorProcess(dataDir: string): Promise<CoordinatorProcess> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [CLI, 'coordinator', '--port', '0', '--data-dir', dataDir, '--insecure-no-auth'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DTF_LOG_LEVEL: 'warn' },
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DTF coordinator listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, readyMs: performance.now() - started, stop });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`coordinator exited (${code}) before listening:\n${output}`)),
    );
  });
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
