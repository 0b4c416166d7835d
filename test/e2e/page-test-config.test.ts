import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { spawnDtf } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const numerics = fileURLToPath(
  new URL('../../examples/plugins/numerics/index.ts', import.meta.url),
);

it("dtf run bundles the page tests a config finds and a plugin's page runner, serves them from the coordinator, and runs them in Chromium and Firefox and the plugin's kind on Node too", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'src/sum.js'), 'export const sum = (a, b) => a + b;\n');
  writeFileSync(
    join(dir, 'tests/sum.page.js'),
    [
      "import { sum } from '../src/sum.js';",
      'export const tests = {',
      "  adds: () => { if (sum(1, 2) !== 3) throw new Error('1 + 2 is not 3'); },",
      "  'has a DOM': () => { if (typeof document === 'undefined') throw new Error('no DOM'); },",
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tests/broken.page.js'),
    "export const tests = { fails: () => { throw new Error('on purpose'); } };\n",
  );
  writeFileSync(
    join(dir, 'dtf.config.ts'),
    `
import { defineConfig } from 'dtf';
import numerics from ${JSON.stringify(numerics)};

const task = (name: string, browser?: 'chromium' | 'firefox') => ({
  kind: 'plugin' as const,
  name,
  payload: { runner: 'numerics', input: { size: 1024 } },
  requirements: browser === undefined ? {} : { browser },
});
export default defineConfig({
  name: 'pages',
  projects: [{ name: 'ui', runner: 'page-test', include: ['tests/*.page.js'] }],
  plugins: [numerics()],
  tasks: [task('node'), task('chromium', 'chromium'), task('firefox', 'firefox')],
  pool: { chromium: 1, firefox: 1 },
});
`,
  );
  const run = spawnDtf(['run'], {}, dir);
  expect(await run.exited, run.output()).toBe(1);
  expect(run.output()).toContain('2 page test(s) bundled and stored with the coordinator');
  const report = JSON.parse(readFileSync(join(dir, 'reports/pages.results.json'), 'utf8')) as {
    tasks: Array<{
      name: string;
      kind: string;
      state: string;
      error?: string;
      result?: { output?: { output?: { engine: string } } };
      cases: Array<{ name: string; status: string }>;
    }>;
  };
  const byName = new Map(report.tasks.map((task) => [task.name, task]));
  expect(byName.get('ui tests/sum.page.js (chromium)')).toMatchObject({
    state: 'succeeded',
    result: { output: { kind: 'page-test', passed: 2, failed: 0 } },
  });
  expect(byName.get('ui tests/broken.page.js (chromium)')).toMatchObject({
    state: 'failed',
    error: '1 of 1 tests failed',
  });
  // Each test of a page test is a case of the reports, as a vitest test is.
  const pageTests = report.tasks.filter((task) => task.kind === 'page-test');
  expect(pageTests.flatMap((task) => task.cases.map((c) => [c.name, c.status])).sort()).toEqual([
    ['ui tests/broken.page.js (chromium) > fails', 'failed'],
    ['ui tests/sum.page.js (chromium) > adds', 'passed'],
    ['ui tests/sum.page.js (chromium) > has a DOM', 'passed'],
  ]);

  // The plugin's kind: on the Node worker, and in each browser from the bundle of its page runner.
  const plugins = report.tasks.filter((task) => task.kind === 'plugin');
  const engines = Object.fromEntries(
    plugins.map((task) => [task.name, task.result?.output?.output?.engine]),
  );
  expect(engines).toEqual({
    node: `Node ${process.versions.node}`,
    chromium: expect.stringMatching(/Chrome\/\d+/),
    firefox: expect.stringMatching(/Firefox\/\d+/),
  });
  for (const task of plugins) {
    expect(task.state, task.name).toBe('succeeded');
    expect(task.cases.map((c) => c.name).sort()).toEqual(
      ['gelu', 'layerNorm', 'logSumExp', 'softmax'].map((k) => `${task.name} > ${k}`),
    );
  }
  // The table the plugin prints at the run's end: one row per engine.
  for (const row of [/\nNode \S+ +\d/, /\nChrome \d+ +\d/, /\nFirefox \d+ +\d/]) {
    expect(run.output()).toMatch(row);
  }
}, 120_000);
