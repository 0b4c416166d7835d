import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toMarkdown } from '../../../../cli/report/markdown.js';
import type { MatrixCell } from '../../../../cli/report/matrix-cells.js';
import { resolveReporters, runReporters } from '../../../../cli/report/reporters/index.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import { UsageError } from '../../../../cli/usage-error.js';
import { taskView } from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const cell: MatrixCell = {
  taskId: 'm',
  model: 'mlp',
  worker: 'firefox',
  provider: 'webgpu',
  verdict: 'unsupported',
  reason: 'no adapter | none',
};
const report = buildSuiteReport(
  'demo suite',
  'g',
  new Date(0),
  1500,
  [
    taskView({
      id: 'm',
      name: 'mlp · firefox · webgpu',
      kind: 'model',
      state: 'unsupported',
      workerId: undefined,
    }),
    taskView({
      id: 'b',
      name: 'bad | task',
      kind: 'command',
      state: 'failed',
      workerId: undefined,
      result: {
        status: 'failed',
        durationMs: 5,
        error: 'boom <here>\n```\nstack ```` fenced',
        output: {
          kind: 'command',
          exitCode: 3,
          signal: null,
          stdout: '',
          stderr: '',
          stdoutTruncated: false,
          stderrTruncated: false,
        },
      },
    }),
  ],
  new Map([['m', cell]]),
);

describe('reporters', () => {
  it('markdown: the verdict, the matrix with its footnotes, each failure folded away, the tasks', () => {
    const md = toMarkdown(report);
    expect(md).toMatch(/^### FAIL: demo suite: 0\/1 tasks passed, 0\/1 matrix cells passed/);
    expect(md).toContain('| MODEL | WORKER | webgpu |');
    expect(md).toContain('| mlp | firefox | unsupported [1] |');
    expect(md).toContain('1. firefox webgpu: no adapter \\| none');
    expect(md).toContain('<details><summary>bad | task: boom &lt;here&gt;</summary>');
    // The fence is longer than any backtick run in the error, which cannot close it.
    expect(md).toContain('`````text\nboom <here>\n```\nstack ```` fenced\n`````');
    expect(md).toContain('| bad \\| task | command | failed |');
  });

  it('resolves built-ins by name and modules by path, and names every other choice', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'class-reporter.mjs'),
      `class Counts { name = 'counts'; async onRunEnd(report, context) {
        const { writeFile } = await import('node:fs/promises');
        const file = context.fileFor('.counts');
        await writeFile(file, String(report.counts.cases));
        return [file];
      } }
      export default () => new Counts();`,
    );
    writeFileSync(
      join(dir, 'throws.mjs'),
      `export default { onRunEnd() { throw new Error('disk full'); } };`,
    );
    writeFileSync(join(dir, 'nothing.mjs'), 'export default 42;');
    const reporters = await resolveReporters(
      ['markdown', './class-reporter.mjs', './throws.mjs', 'markdown'],
      dir,
    );
    expect(reporters.map((r) => r.name)).toEqual(['markdown', 'counts', './throws.mjs']);
    const out = join(dir, 'out');
    const { files, ok } = await runReporters(reporters, report, out, {
      results: [],
      previous: async () => undefined,
      history: async () => undefined,
    });
    expect(ok).toBe(false);
    expect(files).toEqual([join(out, 'demo_suite.md'), join(out, 'demo_suite.counts')]);
    expect(readFileSync(join(out, 'demo_suite.counts'), 'utf8')).toBe('2');
    await expect(resolveReporters(['html5'], dir)).rejects.toThrow(
      "unknown reporter 'html5': one of list, json, junit, markdown, html, or the path of a module of your own",
    );
    await expect(resolveReporters(['./nothing.mjs'], dir)).rejects.toThrow(/exports no reporter/);
    await expect(resolveReporters(['./missing.js'], dir)).rejects.toBeInstanceOf(UsageError);
    // TypeScript, bundled as a plugin is.
    writeFileSync(
      join(dir, 'typed.ts'),
      "const reporter: { name: string; onRunEnd(): void } = { name: 'typed', onRunEnd() {} };\nexport default reporter;\n",
    );
    expect((await resolveReporters(['typed.ts'], dir)).map((r) => r.name)).toEqual(['typed']);
  });
});
