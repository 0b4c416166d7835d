import { isAbsolute, join, relative, sep } from 'node:path';
import type { SuiteReport } from '../report/suite-report.js';

/** A failed check as a CI system shows it: where, when it can say, and why. */
export interface Failure {
  title: string;
  message: string;
  /** The test file, relative to the workspace, with `/` between its parts. */
  file?: string;
  line?: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first line of `message` that names `file` (`…/test/x.test.ts:12:5`), if any does. */
function lineIn(message: string, file: string): number | undefined {
  const match = new RegExp(`(?:^|[\\s(/])${escapeRegExp(file)}:(\\d+)`, 'm').exec(message);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Every failed or errored check of the run, a vitest test's with its file relative to
 * `workspace` and the line its error points at in that file.
 */
export function failures(report: SuiteReport, workspace: string): Failure[] {
  const found: Failure[] = [];
  for (const task of report.tasks) {
    for (const c of task.cases) {
      if (c.status !== 'failed' && c.status !== 'error') continue;
      const title = c.name === task.name ? task.name : `${task.name}: ${c.name}`;
      const failure: Failure = { title, message: c.message ?? c.status };
      const file = task.dir === undefined ? undefined : c.name.split(' > ', 1)[0];
      if (file !== undefined && task.dir !== undefined) {
        const path = isAbsolute(file) ? file : join(task.dir, file);
        failure.file = relative(workspace, path).split(sep).join('/');
        const line = lineIn(failure.message, file);
        if (line !== undefined) failure.line = line;
      }
      found.push(failure);
    }
  }
  return found;
}
