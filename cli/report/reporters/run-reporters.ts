import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../../client/index.js';
import { printStatus } from '../../output.js';
import type { SuiteReport } from '../suite-report.js';
import type { Reporter, ReporterContext } from './reporter.js';

/**
 * Hands the ended run to each reporter in turn. One that fails is named on stderr and the
 * others still run; returns the files written and whether every reporter succeeded.
 */
export async function runReporters(
  reporters: readonly Reporter[],
  report: SuiteReport,
  outDir: string,
  about: Pick<ReporterContext, 'results' | 'run' | 'previous' | 'history'>,
): Promise<{ files: string[]; ok: boolean }> {
  await mkdir(outDir, { recursive: true });
  const base = join(outDir, report.suite.replace(/[^\w.-]+/g, '_'));
  const context: ReporterContext = { ...about, outDir, fileFor: (suffix) => `${base}${suffix}` };
  const files: string[] = [];
  let ok = true;
  for (const reporter of reporters) {
    try {
      files.push(...((await reporter.onRunEnd(report, context)) ?? []));
    } catch (error) {
      ok = false;
      printStatus(`reporter ${reporter.name} failed: ${describeError(error)}`);
    }
  }
  return { files, ok };
}
