import { writeFile } from 'node:fs/promises';
import { printLine } from '../../output.js';
import { toHtml } from '../html/html-report.js';
import { toJUnitXml } from '../junit.js';
import { toMarkdown } from '../markdown.js';
import { formatSuiteTable } from '../suite-table.js';
import type { Reporter } from './reporter.js';

/** Writes `text` to `<out>/<suite><suffix>`; returns its path. */
function fileReporter(
  name: string,
  suffix: string,
  render: (r: Parameters<Reporter['onRunEnd']>[0]) => string,
): Reporter {
  return {
    name,
    async onRunEnd(report, context) {
      const file = context.fileFor(suffix);
      await writeFile(file, render(report));
      return [file];
    },
  };
}

/** The reporters DTF ships, by the name `--reporter` takes. */
export const BUILTIN_REPORTERS: Readonly<Record<string, () => Reporter>> = {
  /** The terminal: the matrix, the tasks and the verdict (progress shows live while it runs). */
  list: () => ({
    name: 'list',
    onRunEnd(report) {
      printLine(formatSuiteTable(report));
      return undefined;
    },
  }),
  json: () => fileReporter('json', '.results.json', (r) => `${JSON.stringify(r, null, 2)}\n`),
  junit: () => fileReporter('junit', '.junit.xml', toJUnitXml),
  markdown: () => fileReporter('markdown', '.md', toMarkdown),
  html: () => ({
    name: 'html',
    async onRunEnd(report, context) {
      const file = context.fileFor('.html');
      const { results, run } = context;
      const previous = await context.previous();
      const history = await context.history();
      await writeFile(file, toHtml({ report, results, run, previous, history }));
      return [file];
    },
  }),
};

export const DEFAULT_REPORTERS = ['list', 'json', 'junit'] as const;
