import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { childReaper } from '../../child-processes/index.js';
import {
  type Assignment,
  type CommandOutput,
  FileDuration,
  setsVitestParallelism,
  type TaskResult,
  type VitestOutput,
} from '../../protocol/index.js';
import type { TaskRunner } from '../../worker-core/index.js';
import { resultOfProcess } from './command.js';
import { lastLines } from './output-tail.js';
import { runProcess } from './run-process.js';
import type { WarmVitests } from './vitest-host/warm-vitests.js';
import { parseVitestReport } from './vitest-report.js';

/** The end of what vitest printed: its stderr, or its stdout when it wrote nothing there. */
function vitestSaid({ stderr, stdout }: CommandOutput): string {
  return lastLines(stderr.trim() === '' ? stdout : stderr);
}

function quoting(error: string, said: string): string {
  return said === '' ? error : `${error}:\n${said}`;
}

function vitestFailure(output: VitestOutput, exitCode: number | null, said: string) {
  const total = output.tests.length;
  if (output.failed > 0) return `${output.failed} of ${total} tests failed`;
  if (exitCode === 0) return undefined;
  const why = total === 0 ? 'no tests ran' : 'no test failed';
  return quoting(`vitest exited with code ${exitCode} (${why})`, said);
}

/**
 * The entries of `files` that name no file or directory of the project. vitest takes each entry
 * as a filter on the paths of its test files, so a typo would silently run fewer files.
 */
function missingFiles(projectDir: string, files: readonly string[]): string[] {
  return files.filter((file) => !existsSync(resolve(projectDir, file)));
}

function missingFilesError(projectDir: string, missing: readonly string[]): string {
  const quoted = missing.map((file) => `'${file}'`).join(', ');
  return missing.length === 1
    ? `files entry ${quoted} matches no file or directory in ${projectDir}`
    : `files entries ${quoted} match no file or directory in ${projectDir}`;
}

/** The tests a `testNamePattern` selects, as vitest reads it (a RegExp); undefined if none. */
function selectedBy(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch {
    // vitest refuses it too, and says why.
    return undefined;
  }
}

async function readReport(
  reportFile: string,
  projectDir: string,
  selected: RegExp | undefined,
): Promise<VitestOutput | string> {
  let text: string;
  try {
    text = await readFile(reportFile, 'utf8');
  } catch {
    return 'vitest wrote no JSON report';
  }
  try {
    return parseVitestReport(text, projectDir, selected);
  } catch (err) {
    return `vitest's JSON report could not be read: ${(err as Error).message}`;
  }
}

/** The reporter that writes each test file's duration: compiled beside this file, or its source under vitest. */
const DURATIONS_REPORTER = ['.js', '.ts']
  .map((ext) => fileURLToPath(new URL(`./vitest-file-durations${ext}`, import.meta.url)))
  .find((path) => existsSync(path))!;

const FileDurations = z.array(FileDuration).max(100_000);

/** What the durations reporter wrote, files relative to the project; undefined when it wrote nothing readable. */
async function readFileDurations(
  file: string,
  projectDir: string,
): Promise<FileDuration[] | undefined> {
  try {
    const parsed = FileDurations.parse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.map(({ file: path, durationMs }) => ({
      file: relative(projectDir, path),
      durationMs,
    }));
  } catch {
    return undefined;
  }
}

/** A task of several slots runs as many vitest workers, unless its arguments say otherwise. */
function workersOfSlots(slots: number | undefined, args: readonly string[]): string[] {
  if (slots === undefined || setsVitestParallelism(args)) return [];
  return [`--maxWorkers=${slots}`];
}

/** The vitest that Node's own module resolution finds from the project, as `import 'vitest'` would. */
export function findVitest(projectDir: string): string | undefined {
  try {
    const manifest = createRequire(join(projectDir, 'package.json')).resolve('vitest/package.json');
    const entry = join(dirname(manifest), 'vitest.mjs');
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the vitest installed in the project under test, in that project's directory: in a vitest
 * the worker keeps warm between tasks of the project (see `WarmVitests`) unless the task says
 * `warm: false` or the project cannot, else in a `vitest run` of its own.
 */
export function vitestRunner(
  warm: WarmVitests,
): TaskRunner<Extract<Assignment, { kind: 'vitest' }>> {
  return {
    async run({ payload, timeoutMs, slots }, signal) {
      const projectDir = resolve(payload.dir);
      const vitestEntry = findVitest(projectDir);
      if (vitestEntry === undefined) {
        return {
          status: 'failed',
          durationMs: 0,
          error: `no vitest installed for ${projectDir} (looked for node_modules/vitest there and in every parent directory)`,
        };
      }
      const missing = missingFiles(projectDir, payload.files);
      if (missing.length > 0) {
        return { status: 'failed', durationMs: 0, error: missingFilesError(projectDir, missing) };
      }
      // In the scratch dir, which the reaper removes should this process die mid-run.
      const reportDir = await mkdtemp(join(childReaper().scratchDir, 'dtf-vitest-'));
      try {
        const reportFile = join(reportDir, 'report.json');
        const durationsFile = join(reportDir, 'durations.json');
        // The default reporter too: what vitest says when it runs nothing is printed only by it.
        const args = [
          '--reporter=json',
          '--reporter=default',
          `--reporter=${DURATIONS_REPORTER}`,
          ...payload.args,
          ...workersOfSlots(slots, payload.args),
        ];
        const env = { NO_COLOR: '1', ...payload.env };
        const run = {
          files: payload.files,
          testNamePattern: payload.testNamePattern,
          reportFile,
          durationsFile,
        };
        const warmRun = payload.warm
          ? await warm.run({ vitestEntry, projectDir, args, env }, run, timeoutMs, signal)
          : undefined;
        const outcome =
          warmRun?.outcome ??
          (await runProcess(
            {
              command: process.execPath,
              args: [
                vitestEntry,
                'run',
                `--outputFile.json=${reportFile}`,
                ...args,
                ...(payload.testNamePattern === undefined
                  ? []
                  : ['--testNamePattern', payload.testNamePattern]),
                ...payload.files,
              ],
              env: { ...env, DTF_VITEST_DURATIONS: durationsFile },
              cwd: projectDir,
              shell: false,
              timeoutMs,
            },
            signal,
          ));
        if (outcome.ending !== 'exited') return resultOfProcess(outcome, timeoutMs);

        const { exitCode, stdout, stderr, stdoutTruncated, stderrTruncated } = outcome.output;
        const said = vitestSaid(outcome.output);
        const report = await readReport(
          reportFile,
          projectDir,
          selectedBy(payload.testNamePattern),
        );
        if (typeof report === 'string') {
          // Without a report, vitest's own output is the only clue to what went wrong.
          const error = quoting(report, said);
          return { ...resultOfProcess(outcome, timeoutMs), status: 'failed', error };
        }
        const error = vitestFailure(report, exitCode, said);
        const files = await readFileDurations(durationsFile, projectDir);
        const result: TaskResult = {
          status: error === undefined ? 'succeeded' : 'failed',
          durationMs: outcome.durationMs,
          output: {
            ...report,
            ...(files === undefined ? {} : { files }),
            ...(warmRun?.reused ? { warm: true } : {}),
            stdout,
            stderr,
            stdoutTruncated,
            stderrTruncated,
          },
        };
        if (error !== undefined) result.error = error;
        return result;
      } finally {
        await rm(reportDir, { recursive: true, force: true });
      }
    },
  };
}
