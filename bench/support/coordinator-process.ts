import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toWebSocketUrl } from '../../client/index.js';
import { CREDENTIALS_FILE } from '../../coordinator/index.js';
import { type StartedProcess, spawnUntilLine, withProcess } from './child-process.js';
import { withTempDir } from './temp-dir.js';

/** The CLI as built: this file runs as `dist/bench/support/coordinator-process.js`. */
const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** A coordinator running as its own process, started by `dtf coordinator`, with auth on. */
export interface CoordinatorProcess {
  readonly pid: number;
  /** `http://host:port` */
  readonly url: string;
  /** The `/ws` URL. */
  readonly wsUrl: string;
  readonly adminKey: string;
  readonly workerToken: string;
}

/** The admin key and worker token a coordinator wrote to `dataDir`. */
export async function readCredentials(
  dataDir: string,
): Promise<{ adminKey: string; workerToken: string }> {
  const text = await readFile(join(dataDir, CREDENTIALS_FILE), 'utf8');
  const { adminKey, workerToken } = JSON.parse(text) as Record<string, unknown>;
  if (typeof adminKey !== 'string' || typeof workerToken !== 'string') {
    throw new Error(`${CREDENTIALS_FILE} lacks adminKey or workerToken`);
  }
  return { adminKey, workerToken };
}

/**
 * Node flags for every coordinator a benchmark starts, from `DTF_BENCH_NODE_FLAGS` (split on
 * spaces): `--cpu-prof --cpu-prof-dir=/tmp/prof` profiles each, which `NODE_OPTIONS` refuses.
 */
function coordinatorNodeFlags(): string[] {
  return (process.env.DTF_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
}

/**
 * `node dist/cli/main.js coordinator ...args`, resolved once it listens (its URL is the first
 * capture group of `match`); it logs only warnings.
 */
export function spawnCoordinator(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<StartedProcess> {
  return spawnUntilLine(
    process.execPath,
    [...coordinatorNodeFlags(), CLI, 'coordinator', ...args],
    /^DTF coordinator listening on (http:\/\/\S+)$/,
    { ...process.env, DTF_LOG_LEVEL: 'warn', ...env },
  );
}

function startCli(dataDir: string, args: readonly string[]): Promise<StartedProcess> {
  return spawnCoordinator(['--port', '0', '--data-dir', dataDir, ...args]);
}

/**
 * Runs `fn` against `node dist/cli/main.js coordinator --port 0` on loopback, with a fresh temp
 * data dir and `args` added; stops it and removes the data afterwards.
 */
export function withCoordinatorProcess<T>(
  args: readonly string[],
  fn: (coordinator: CoordinatorProcess) => Promise<T>,
): Promise<T> {
  return withTempDir('dtf-bench-coordinator-process-', (dataDir) =>
    withCoordinatorProcessOn(dataDir, args, fn),
  );
}

/** The same on an existing data dir (a restart, say); the data is left in place. */
export function withCoordinatorProcessOn<T>(
  dataDir: string,
  args: readonly string[],
  fn: (coordinator: CoordinatorProcess) => Promise<T>,
): Promise<T> {
  return withProcess(startCli(dataDir, args), async (started) => {
    const url = started.match[1]!;
    const credentials = await readCredentials(dataDir);
    return fn({ pid: started.pid, url, wsUrl: toWebSocketUrl(url), ...credentials });
  });
}
