import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type ProcessStat, readStat } from './process-tree.js';
import { OWNER_ENV } from './reap.js';
import { makeScratchDir, sweepScratchDirs } from './scratch-dir.js';

/**
 * What a DTF process starts dies with it, however it ends: `kill -9` cannot be caught, so a
 * small reaper process watches from outside (see reaper-process.ts) and kills what is left.
 */
export interface ChildReaper {
  /** Give every child this environment: it marks the child and all it starts as this process's. */
  readonly env: Readonly<Record<string, string>>;
  /** A private directory (0700) that goes when this process does. */
  readonly scratchDir: string;
  /**
   * `pid`, its process group and its descendants die with this process, unless released.
   * Returns the process as adopted; undefined when it has already gone.
   */
  adopt(pid: number): ProcessStat | undefined;
  /** `pid` has ended normally: nothing to kill any more. */
  release(pid: number): void;
}

let reaper: ChildReaper | undefined;

function startReaper(): ChildReaper {
  const env = { [OWNER_ENV]: randomUUID() };
  const script = fileURLToPath(new URL('./reaper-process.js', import.meta.url));
  // Run from the TypeScript sources (unit tests) there is no compiled reaper to start.
  if (!existsSync(script)) return { env, scratchDir: tmpdir(), adopt: readStat, release() {} };

  sweepScratchDirs();
  const scratchDir = makeScratchDir();
  // Detached: a signal to this process's group (Ctrl-C) must leave the reaper running.
  const child = spawn(process.execPath, [script, env[OWNER_ENV]!, scratchDir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => {}); // without a reaper, children still die with their task
  const lifeline = child.stdin as Socket;
  lifeline.on('error', () => {});
  // Neither the reaper nor its pipe keeps this process alive; the pipe's end is its signal.
  child.unref();
  lifeline.unref();
  const send = (line: string) => {
    if (lifeline.writable) lifeline.write(`${line}\n`);
  };
  return {
    env,
    scratchDir,
    adopt(pid) {
      const adopted = readStat(pid);
      if (adopted !== undefined) send(`adopt ${pid} ${adopted.startTime}`);
      return adopted;
    },
    release: (pid) => send(`release ${pid}`),
  };
}

/** This process's reaper, started on first use. */
export function childReaper(): ChildReaper {
  reaper ??= startReaper();
  return reaper;
}
