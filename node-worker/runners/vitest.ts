import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { childReaper } from '../../child-processes/reaper.js';
import type { Assignment, TaskResult, VitestOutput } from '../../protocol/index.js';
import type { TaskRunner } from '../../worker-core/index.js';
import { resultOfProcess } from './command.js';
import { runProcess } from './run-process.js';
import { parseVitestReport } from './vitest-report.js';

function vitestFailure(output: VitestOutput, exitCode: number | null): string | undefined {
  const total = output.tests.length;
  if (output.failed > 0) return `${output.failed} of ${total} tests failed`;
  if (exitCode === 0) return undefined;
  const why = total === 0 ? 'no tests ran' : 'no test failed';
  return `vitest exited with code ${exitCode} (${why})`;
}

async function readReport(reportFile: string, projectDir: string): Promise<VitestOutput | string> {
  let text: string;
  try {
    text = await readFile(reportFile, 'utf8');
  } catch {
    return 'vitest wrote no JSON report';
  }
  try {
    return parseVitestReport(text, projectDir);
  } catch (err) {
    return `vitest's JSON report could not be read: ${(err as Error).message}`;
  }
}

/** The vitest that Node's own module resolution finds from the project, as `import 'vitest'` would. */
function findVitest(projectDir: string): string | undefined {
  try {
    const manifest = createRequire(join(projectDir, 'package.json')).resolve('vitest/package.json');
    const entry = join(dirname(manifest), 'vitest.mjs');
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the vitest installed in the project under test, in that project's directory. */
export const vitestRunner: TaskRunner<Extract<Assignment, { kind: 'vitest' }>> = {
  async run({ payload, timeoutMs }, signal) {
    const projectDir = resolve(payload.dir);
    const vitestEntry = findVitest(projectDir);
    if (vitestEntry === undefined) {
      return {
        status: 'failed',
        durationMs: 0,
        error: `no vitest installed for ${projectDir} (looked for node_modules/vitest there and in every parent directory)`,
      };
    }
    // In the scratch dir, which the reaper removes should this process die mid-run.
    const reportDir = await mkdtemp(join(childReaper().scratchDir, 'dtf-vitest-'));
    try {
      const reportFile = join(reportDir, 'report.json');
      const args = [vitestEntry, 'run', '--reporter=json', `--outputFile=${reportFile}`];
      if (payload.testNamePattern !== undefined) {
        args.push('--testNamePattern', payload.testNamePattern);
      }
      args.push(...payload.files);
      const outcome = await runProcess(
        { command: process.execPath, args, env: {}, cwd: projectDir, shell: false, timeoutMs },
        signal,
      );
      if (outcome.ending !== 'exited') return resultOfProcess(outcome, timeoutMs);

      const report = await readReport(reportFile, projectDir);
      if (typeof report === 'string') {
        // Without a report, vitest's own output is the only clue to what went wrong.
        return { ...resultOfProcess(outcome, timeoutMs), status: 'failed', error: report };
      }
      const error = vitestFailure(report, outcome.output.exitCode);
      const result: TaskResult = {
        status: error === undefined ? 'succeeded' : 'failed',
        durationMs: outcome.durationMs,
        output: report,
      };
      if (error !== undefined) result.error = error;
      return result;
    } finally {
      await rm(reportDir, { recursive: true, force: true });
    }
  },
};
