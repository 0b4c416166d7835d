import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  listProcesses,
  readCommandLine,
  sigkill,
  stillRuns,
} from '../../child-processes/process-tree.js';
import { environHolds, orphans } from '../../child-processes/reap.js';
import { toWebSocketUrl } from '../../protocol/index.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const live = new Set<ChildProcess>();
/** The environment entries `processMark` handed out, each with every process seen carrying it. */
const marks = new Map<string, Map<number, MarkedProcess>>();

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  /** The exit code once it ends within `ms`; rejects with its output otherwise. */
  exitWithin(ms: number, what?: string): Promise<number | null>;
}

/** Starts `dtf <args>` as a real process; `killAll` in teardown ends every one still running. */
export function spawnDtf(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Spawned {
  return spawnWatched(process.execPath, [CLI, ...args], {
    env: { ...process.env, DTF_LOG_LEVEL: 'info', ...env },
    cwd,
  });
}

/** Starts any program with its output kept for `waitFor`; `killAll` ends it in teardown. */
export function spawnWatched(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string | undefined },
): Spawned {
  const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let text = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of watchers) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      for (const w of watchers) w();
      resolve(code);
    });
  });
  return {
    child,
    output: () => text,
    exited,
    async exitWithin(ms, what = `${file} ${args.join(' ')}`) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not end within ${ms} ms:\n${text}`)),
          ms,
        );
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`process exited before printing ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}:\n${text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  // What a test that failed left running carries a mark. A reaper left running is about to
  // end it all and remove its scratch dir: give it the time to, then kill what is left.
  for (const [entry, seenBefore] of marks) {
    const seen = [...seenBefore.values(), ...markedProcesses(entry)];
    await waitUntilNoneMarked(entry, seen, 10_000).catch(() => {
      for (const { pid } of [...seen.filter(stillRuns), ...markedProcesses(entry)]) sigkill(pid);
    });
  }
  marks.clear();
}

export async function kill9(spawned: Spawned): Promise<void> {
  spawned.child.kill('SIGKILL');
  await spawned.exited;
}

/** A port the OS just handed out, for a coordinator that must come back at the same address. */
export function reservePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CoordinatorProcess extends Spawned {
  url: string;
  wsUrl: string;
  adminKey: string;
  workerToken: string;
}

export async function startCoordinatorProcess(
  dataDir: string,
  opts: { port?: number; extraArgs?: string[] } = {},
): Promise<CoordinatorProcess> {
  const spawned = spawnDtf([
    'coordinator',
    '--port',
    String(opts.port ?? 0),
    '--data-dir',
    dataDir,
    '--heartbeat-ms',
    '200',
    ...(opts.extraArgs ?? []),
  ]);
  const [, url] = await spawned.waitFor(/DTF coordinator listening on (https?:\/\/\S+)/);
  const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    adminKey: string;
    workerToken: string;
  };
  return { ...spawned, url: url!, wsUrl: toWebSocketUrl(url!), ...credentials };
}

export async function startWorkerProcess(
  coordinator: { wsUrl: string; workerToken: string },
  opts: {
    slots?: number;
    labels?: Record<string, string>;
    name?: string;
    env?: NodeJS.ProcessEnv;
    /** Plugin modules (`--plugin`). */
    plugins?: string[];
    extraArgs?: string[];
    /** What it prints once it has registered; its first group, if any, is the worker's id. */
    registered?: RegExp;
  } = {},
): Promise<Spawned & { workerId: string }> {
  const args = ['worker', '--coordinator', coordinator.wsUrl, '--token', coordinator.workerToken];
  args.push('--slots', String(opts.slots ?? 2));
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (opts.name !== undefined) args.push('--name', opts.name);
  for (const plugin of opts.plugins ?? []) args.push('--plugin', plugin);
  args.push(...(opts.extraArgs ?? []));
  const spawned = spawnDtf(args, opts.env);
  const [, workerId = ''] = await spawned.waitFor(opts.registered ?? /DTF worker (\S+) registered/);
  return { ...spawned, workerId };
}

/**
 * An environment entry for `spawnDtf` that marks the process and, through inheritance, every
 * process it starts, so that a test can find them all (`markedProcesses`); `killAll` kills
 * whatever carries it.
 */
export function processMark(): { env: Record<string, string>; entry: string } {
  const value = randomUUID();
  const entry = `DTF_TEST_MARK=${value}`;
  marks.set(entry, new Map());
  return { env: { DTF_TEST_MARK: value }, entry };
}

export interface MarkedProcess {
  pid: number;
  startTime: string;
  /** Its argv, joined with spaces. */
  command: string;
}

function commandOf(pid: number): string {
  return (readCommandLine(pid) ?? []).join(' ').trim();
}

/**
 * Every live process (zombies do not run) whose environment holds `entry`, and every
 * descendant of theirs: some programs (Chromium's zygote) start helpers with an environment
 * of their own.
 */
export function markedProcesses(entry: string): MarkedProcess[] {
  const marked = (pid: number) => environHolds(pid, entry);
  return orphans(listProcesses(), new Map(), marked, process.pid).map((p) => ({
    pid: p.pid,
    startTime: p.startTime,
    command: commandOf(p.pid),
  }));
}

/**
 * Polls /proc until `probe` holds for the marked processes; rejects after `timeoutMs` with the
 * processes it last saw.
 */
export async function waitForMarked(
  entry: string,
  probe: (processes: MarkedProcess[]) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<MarkedProcess[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const processes = markedProcesses(entry);
    for (const p of processes) marks.get(entry)?.set(p.pid, p);
    if (probe(processes)) return processes;
    if (performance.now() > deadline) {
      const seen = processes.map((p) => `${p.pid} ${p.command}`).join('\n');
      throw new Error(`timed out waiting for ${what}; marked processes:\n${seen}`);
    }
    await sleep(50);
  }
}

/**
 * Resolves once none of `seen` runs and no process carries the mark; rejects naming the
 * survivors after `timeoutMs`. `seen` is what a test saw before the kill: once a parent dies,
 * its unmarked descendants can no longer be told from anyone else's.
 */
export async function waitUntilNoneMarked(
  entry: string,
  seen: readonly MarkedProcess[],
  timeoutMs = 15_000,
): Promise<void> {
  const survivors = () => [...seen.filter(stillRuns), ...markedProcesses(entry)];
  await waitForMarked(entry, () => survivors().length === 0, 'no survivor', timeoutMs).catch(
    (error: Error) => {
      const list = survivors().map((p) => `${p.pid} ${p.command}`);
      throw new Error(`${error.message}\nsurvivors:\n${list.join('\n')}`);
    },
  );
}
