import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnDtf, spawnWatched } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const root = fileURLToPath(new URL('../../', import.meta.url));
/** A pinned copy of a real third-party project: 14 vitest files, 487 tests, one a type test. */
const ufo = join(root, 'test/third-party/ufo');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');

type Outcome = [name: string, status: string];

/** Each test's name (`file > full name`) and status, as a DTF JSON report lists them. */
function reportedTests(reportFile: string): Outcome[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    tasks: Array<{ cases: Array<{ name: string; status: string }> }>;
  };
  return report.tasks.flatMap((task) => task.cases.map((c): Outcome => [c.name, c.status])).sort();
}

/** The same, as vitest's own JSON report of a direct run lists them. */
function vitestTests(reportFile: string, dir: string): Outcome[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    testResults: Array<{
      name: string;
      assertionResults: Array<{ fullName: string; title: string; status: string }>;
    }>;
  };
  return report.testResults
    .flatMap((file) =>
      file.assertionResults.map((test): Outcome => {
        const name = `${relative(dir, file.name)} > ${test.fullName || test.title}`;
        return [name, test.status === 'pending' ? 'skipped' : test.status];
      }),
    )
    .sort();
}

async function dtfRun(args: string[], cwd: string): Promise<string> {
  const run = spawnDtf(['run', ...args], {}, cwd);
  expect(await run.exited, run.output()).toBe(0);
  return run.output();
}

/** `dtf run` given a config: exit 2, and the error it printed. */
async function refused(config: string, name = 'dtf.config.ts'): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, name), config);
  const run = spawnDtf(['run'], {}, dir);
  expect(await run.exited, run.output()).toBe(2);
  expect(run.output()).not.toMatch(/starting a coordinator/);
  return run.output();
}

describe('dtf run with a config file', () => {
  it("runs a third-party vitest project from its config alone, with vitest's own per-test results, and the same again split into shards", async () => {
    const out = tempDir();
    const direct = spawnWatched(
      process.execPath,
      [vitest, 'run', '--typecheck', '--reporter=json', `--outputFile=${join(out, 'vitest.json')}`],
      { env: { ...process.env, NO_COLOR: '1' }, cwd: ufo },
    );
    expect(await direct.exited, direct.output()).toBe(0);
    const expected = vitestTests(join(out, 'vitest.json'), ufo);
    expect(expected.length).toBeGreaterThanOrEqual(480);

    // The config asks for 2 Node workers of 2 slots; the type test runs in one task.
    const whole = await dtfRun(['--out', join(out, 'whole')], ufo);
    expect(whole).toMatch(/starting a coordinator, 2 Node workers/);
    expect(whole).toMatch(
      /14 test file\(s\), 0 with a measured duration; 2 task\(s\) over 4 slot\(s\)/,
    );
    expect(reportedTests(join(out, 'whole', 'ufo.results.json'))).toEqual(expected);

    for (const shard of ['1/2', '2/2']) {
      const at = join(out, `shard-${shard[0]}`);
      const part = await dtfRun(['--shard', shard, '--out', at, '--reporter', 'json'], ufo);
      expect(part).toContain(`shard ${shard}: `);
    }
    const merge = spawnDtf(
      ['merge-reports', join(out, 'shard-1'), join(out, 'shard-2'), '--out', join(out, 'merged')],
      {},
      ufo,
    );
    expect(await merge.exited, merge.output()).toBe(0);
    expect(merge.output()).toContain("merged 2 report(s) of suite 'ufo'");
    expect(reportedTests(join(out, 'merged', 'ufo.results.json'))).toEqual(expected);
  }, 180_000);

  it('starts from dtf init in a new project: init writes the config, run runs it', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'fresh',
        scripts: { test: 'vitest run' },
        devDependencies: { vitest: '*' },
      }),
    );
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'test'));
    writeFileSync(
      join(dir, 'test/sum.test.ts'),
      "import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 2).toBe(3));\n",
    );
    const init = spawnDtf(['init'], {}, dir);
    expect(await init.exited, init.output()).toBe(0);
    expect(init.output()).toContain('wrote dtf.config.ts');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.dtf/\nreports/\n');
    const initAgain = spawnDtf(['init'], {}, dir);
    expect(await initAgain.exited).toBe(2);
    expect(initAgain.output()).toContain('dtf.config.ts is there already');

    const run = await dtfRun([], dir);
    expect(run).toMatch(/PASS {2}fresh: 1\/1 tasks passed, 1\/1 checks passed/);
    expect(run).toMatch(/1 test file\(s\), 0 with a measured duration/);
    // The config keeps its data in .dtf: the next run splits by what this one measured.
    const rerun = await dtfRun([], dir);
    expect(rerun).toMatch(/1 test file\(s\), 1 with a measured duration/);
    expect(reportedTests(join(dir, 'reports', 'fresh.results.json'))).toEqual([
      ['test/sum.test.ts > adds', 'passed'],
    ]);
  }, 120_000);

  it('splits a file far longer than its share by its tests once they are measured, each test run once', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sliced', type: 'module' }));
    writeFileSync(join(dir, 'vitest.config.mjs'), 'export default {};\n');
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'test'));
    const sleeps = (names: string[]) =>
      [
        "import { describe, it } from 'vitest';",
        "describe('model', () => {",
        ...names.map(
          (name) => `  it('${name}', () => new Promise((done) => setTimeout(done, 700)));`,
        ),
        '});',
        '',
      ].join('\n');
    writeFileSync(
      join(dir, 'test/slow.test.js'),
      sleeps(['loads (a)', 'runs [b]', 'checks c', 'd|e']),
    );
    writeFileSync(
      join(dir, 'test/quick.test.js'),
      "import { it } from 'vitest';\nit('is quick', () => {});\n",
    );
    writeFileSync(
      join(dir, 'dtf.config.json'),
      JSON.stringify({
        projects: [{ name: 'sliced', runner: 'vitest' }],
        workers: { count: 2, slots: 2 },
        dataDir: '.dtf',
      }),
    );
    const expected: Outcome[] = [
      ['test/quick.test.js > is quick', 'passed'],
      ['test/slow.test.js > model checks c', 'passed'],
      ['test/slow.test.js > model d|e', 'passed'],
      ['test/slow.test.js > model loads (a)', 'passed'],
      ['test/slow.test.js > model runs [b]', 'passed'],
    ];
    const first = await dtfRun([], dir);
    expect(first).not.toMatch(/split by its tests/);
    expect(reportedTests(join(dir, 'reports/sliced.results.json'))).toEqual(expected);
    // Measured, slow.test.js holds most of the work: its tests go to 3 tasks of a slot each.
    const second = await dtfRun([], dir);
    expect(second).toMatch(
      /2 test file\(s\), 2 with a measured duration; 4 task\(s\) over 4 slot\(s\); test\/slow\.test\.js split by its tests into 3/,
    );
    expect(reportedTests(join(dir, 'reports/sliced.results.json'))).toEqual(expected);
  }, 120_000);

  it('names the file, line and option of a bad config, and the glob that matches nothing', async () => {
    const unknown = await refused(
      "export default {\n  projects: [{ name: 'u', runner: 'vitest' }],\n  wrokers: { count: 2 },\n};\n",
    );
    expect(unknown).toContain('dtf.config.ts:3: wrokers: unknown option');

    const wrongType = await refused(
      '{\n  "projects": [\n    { "name": "u", "runner": "vitest", "include": "test/**" }\n  ]\n}\n',
      'dtf.config.json',
    );
    expect(wrongType).toMatch(/dtf\.config\.json:3: projects\[0\]\.include: .*expected array/);

    const syntax = await refused(
      "export default {\n  projects: [\n    { name: 'u' runner: 'vitest' },\n",
    );
    expect(syntax).toMatch(/dtf\.config\.ts:3: Expected/);

    const noMatch = await refused(
      `export default { projects: [{ name: 'u', runner: 'vitest', dir: ${JSON.stringify(ufo)}, include: ['tests/**'] }] };\n`,
    );
    expect(noMatch).toContain(
      `project 'u': include glob 'tests/**' matches none of the 13 test files vitest finds in ${ufo}`,
    );

    const pages = tempDir();
    mkdirSync(join(pages, 'tests'));
    writeFileSync(
      join(pages, 'tests/bad.page.js'),
      'export const tests = {\n  oops: () => {,\n};\n',
    );
    writeFileSync(
      join(pages, 'dtf.config.json'),
      JSON.stringify({
        projects: [{ name: 'ui', runner: 'page-test', include: ['tests/*.page.js'] }],
      }),
    );
    const badPage = spawnDtf(['run'], {}, pages);
    expect(await badPage.exited).toBe(2);
    expect(badPage.output()).toMatch(/project 'ui': tests\/bad\.page\.js:2: /);
    expect(badPage.output()).not.toMatch(/starting a coordinator/);
    const noPages = await refused(
      "export default { projects: [{ name: 'ui', runner: 'page-test', include: ['e2e/**/*.page.ts'] }] };\n",
    );
    expect(noPages).toContain("project 'ui': include glob 'e2e/**/*.page.ts' matches no file in");

    const noModels = await refused(
      "export default { matrix: { models: ['models/**/*.onnx'], targets: [{ worker: 'node', executionProviders: ['cpu'] }] } };\n",
    );
    expect(noModels).toContain("matrix.models: glob 'models/**/*.onnx' matches no .onnx file in");

    const noConfig = spawnDtf(['run'], {}, tempDir());
    expect(await noConfig.exited).toBe(2);
    expect(noConfig.output()).toMatch(
      /no suite file given and no config in .*`dtf init` writes one/,
    );
  }, 60_000);
});
