import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { failures } from './failures.js';
import type { CiProvider } from './provider.js';

const MAX_ISSUES = 50;

/** A logging command's value, as Azure Pipelines reads it back. */
const escapeValue = (text: string) =>
  text
    .replace(/%/g, '%AZP25')
    .replace(/;/g, '%3B')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/]/g, '%5D');

export const azure: CiProvider = {
  name: 'azure',
  detectedBy: 'TF_BUILD',
  detect: (env) => env.TF_BUILD === 'True',
  async publish(context) {
    const { env, outcome, print } = context;
    const workspace = env.BUILD_SOURCESDIRECTORY ?? context.cwd;
    for (const failure of failures(outcome.report, workspace).slice(0, MAX_ISSUES)) {
      const where = [
        ...(failure.file === undefined ? [] : [`sourcepath=${escapeValue(failure.file)}`]),
        ...(failure.line === undefined ? [] : [`linenumber=${failure.line}`]),
      ];
      const message = `${failure.title}: ${failure.message}`;
      print(
        `##vso[task.logissue type=error;${where.map((w) => `${w};`).join('')}]${escapeValue(message)}`,
      );
    }
    if (context.junitFile !== undefined) {
      const title = escapeValue(outcome.report.suite);
      print(`##vso[results.publish type=JUnit;runTitle=${title};]${resolve(context.junitFile)}`);
    }
    const summary = resolve(
      join(outcome.outDir, `${outcome.report.suite.replace(/[^\w.-]+/g, '_')}.summary.md`),
    );
    await writeFile(summary, `${context.markdown}\n`);
    print(`##vso[task.uploadsummary]${summary}`);
  },
};
