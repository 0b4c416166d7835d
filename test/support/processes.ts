import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const live = new Set<ChildProcess>();

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
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
  const [, url] = await spawned.waitFor(/DTF coordinator listening on (http:\/\/\S+)/);
  const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    adminKey: string;
    workerToken: string;
  };
  return { ...spawned, url: url!, wsUrl: `${url!.replace(/^http/, 'ws')}/ws`, ...credentials };
}

export async function startWorkerProcess(
  coordinator: { wsUrl: string; workerToken: string },
  opts: { slots?: number; labels?: Record<string, string>; name?: string } = {},
): Promise<Spawned & { workerId: string }> {
  const args = ['worker', '--coordinator', coordinator.wsUrl, '--token', coordinator.workerToken];
  args.push('--slots', String(opts.slots ?? 2));
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (opts.name !== undefined) args.push('--name', opts.name);
  const spawned = spawnDtf(args);
  const [, workerId] = await spawned.waitFor(/DTF worker (\S+) registered/);
  return { ...spawned, workerId: workerId! };
}
