import { type ChildProcess, spawn } from 'node:child_process';
import { freeLoopbackPort } from './free-port.js';
import { withTempDir } from './temp-dir.js';

/** How to get the server where it is missing: Debian's package. */
export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';

const READY_LINE = /Ready to accept connections/;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** Thrown when there is no `redis-server` to start. */
export class RedisServerMissingError extends Error {
  constructor() {
    super(`redis-server is not installed (${REDIS_INSTALL_HINT})`);
  }
}

export interface RedisServer {
  host: string;
  port: number;
}

/** Resolves once the server says it accepts connections; rejects if it exits or stalls first. */
function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (READY_LINE.test(output)) done();
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`));
    const onError = (error: NodeJS.ErrnoException) =>
      done(error.code === 'ENOENT' ? new RedisServerMissingError() : error);
    const timer = setTimeout(
      () => done(new Error(`redis-server was not ready after ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Stops the server (SIGTERM, SIGKILL if it lingers) and resolves once it has exited. */
function stop(child: ChildProcess): Promise<void> {
  const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  if (!running) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `fn` against a fresh `redis-server` of its own: loopback only, a free port, a temp dir,
 * append-only file with fsync every second and no RDB snapshots (about the durability of SQLite
 * in WAL mode with synchronous=NORMAL). The server is stopped and its dir removed afterwards.
 * Rejects with `RedisServerMissingError` when there is no `redis-server` on the PATH.
 */
export function withRedisServer<T>(fn: (server: RedisServer) => Promise<T>): Promise<T> {
  return withTempDir('dtf-bench-redis-', async (dir) => {
    const port = await freeLoopbackPort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--daemonize',
      'no',
      '--loglevel',
      'notice',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await waitUntilReady(child);
      // Keep draining its log so a full pipe never blocks the server.
      child.stdout?.resume();
      child.on('error', () => {}); // only a failed kill, which stop() follows up with SIGKILL
      return await fn({ host: '127.0.0.1', port });
    } finally {
      await stop(child);
    }
  });
}
