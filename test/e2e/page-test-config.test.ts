import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { spawnDtf } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

it('dtf run bundles the page tests a config finds, serves them from the coordinator and runs each in Chromium', async () => {
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
    join(dir, 'dtf.config.json'),
    JSON.stringify({
      name: 'pages',
      projects: [{ name: 'ui', runner: 'page-test', include: ['tests/*.page.js'] }],
    }),
  );
  const run = spawnDtf(['run'], {}, dir);
  expect(await run.exited, run.output()).toBe(1);
  expect(run.output()).toContain('2 page test(s) bundled and stored with the coordinator');
  const report = JSON.parse(readFileSync(join(dir, 'reports/pages.results.json'), 'utf8')) as {
    tasks: Array<{
      name: string;
      state: string;
      error?: string;
      result?: { output?: unknown };
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
  expect(report.tasks.flatMap((task) => task.cases.map((c) => [c.name, c.status])).sort()).toEqual([
    ['ui tests/broken.page.js (chromium) > fails', 'failed'],
    ['ui tests/sum.page.js (chromium) > adds', 'passed'],
    ['ui tests/sum.page.js (chromium) > has a DOM', 'passed'],
  ]);
}, 120_000);
