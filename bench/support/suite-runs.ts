import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StartedProcess, spawnUntilLine } from './child-process.js';
import type { CoordinatorProcess } from './coordinator-process.js';

/** The repository: this file runs as `dist/bench/support/suite-runs.js`. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO, 'dist/cli/main.js');
export const VITEST = join(REPO, 'node_modules/vitest/vitest.mjs');

/** Seconds `command args` took in `cwd`; throws with its output's tail if it failed. */
export function timedRun(command: string, args: readonly string[], cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** `dtf run` of the config in `dir` on `coordinator`: its wall time in seconds. */
export function dtfRunSeconds(
  coordinator: CoordinatorProcess,
  dir: string,
  more: readonly string[] = [],
): Promise<number> {
  const args = [CLI, 'run', '--coordinator', coordinator.wsUrl, '--token', coordinator.adminKey];
  return timedRun(
    process.execPath,
    [...args, '--reporter', 'json', '--out', join(dir, 'reports'), ...more],
    dir,
  );
}

/** `count` Node workers of `slots` slots each, as their own processes, registered. */
export function startNodeWorkers(
  coordinator: CoordinatorProcess,
  count: number,
  slots: number,
): Promise<StartedProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnUntilLine(
        process.execPath,
        [
          CLI,
          'worker',
          '--coordinator',
          coordinator.wsUrl,
          '--token',
          coordinator.workerToken,
          '--slots',
          String(slots),
          '--name',
          `bench-node-${i + 1}`,
        ],
        /DTF worker \S+ registered/,
        { ...process.env, DTF_LOG_LEVEL: 'warn' },
      ),
    ),
  );
}

/**
 * A vitest project in `dir` whose test files each sleep the given ms in one test: work that
 * does not compete for the CPU, so a run's makespan shows the packing, not the machine. Its
 * files share their vitest workers (no fork a file), whose start-up would cost CPU instead.
 */
export function writeSleepProject(dir: string, sleepsMs: readonly number[]): void {
  mkdirSync(join(dir, 'test'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'skewed', type: 'module' }));
  writeFileSync(join(dir, 'vitest.config.mjs'), 'export default { test: { isolate: false } };\n');
  for (const [i, ms] of sleepsMs.entries()) {
    writeFileSync(
      join(dir, 'test', `f${String(i).padStart(2, '0')}.test.js`),
      `import { it } from 'vitest';\nit('sleeps ${ms} ms', () => new Promise((done) => setTimeout(done, ${ms})), 60_000);\n`,
    );
  }
  writeFileSync(
    join(dir, 'dtf.config.json'),
    JSON.stringify({ projects: [{ name: 'skewed', runner: 'vitest' }] }),
  );
}
