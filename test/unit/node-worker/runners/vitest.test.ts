import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { vitestRunner } from '../../../../node-worker/runners/vitest.js';
import { WarmVitests } from '../../../../node-worker/runners/vitest-host/warm-vitests.js';
import type { Assignment } from '../../../../protocol/index.js';

type VitestAssignment = Extract<Assignment, { kind: 'vitest' }>;

const repoNodeModules = resolve(import.meta.dirname, '../../../../node_modules');

function assignment(payload: Partial<VitestAssignment['payload']> & { dir: string }) {
  const task: VitestAssignment = {
    kind: 'vitest',
    taskId: 't1',
    attempt: 1,
    leaseToken: 1,
    timeoutMs: 15_000,
    // A vitest of its own per task (warm ones are the integration tests' to run).
    payload: { files: [], args: [], env: {}, warm: false, ...payload },
  };
  return vitestRunner(new WarmVitests(1)).run(task, new AbortController().signal);
}

// Each test starts a real vitest, which can take seconds on a busy machine.
describe('vitest runner', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dtf-vitest-test-'));
    symlinkSync(repoNodeModules, join(dir, 'node_modules'));
    mkdirSync(join(dir, 'tests'));
    writeFileSync(
      join(dir, 'tests', 'pass.test.ts'),
      `import { describe, expect, test } from 'vitest';
describe('math', () => {
  test('adds', () => expect(1 + 1).toBe(2));
  test.skip('skipped', () => {});
  test.todo('later');
});`,
    );
    writeFileSync(
      join(dir, 'tests', 'fail.test.ts'),
      `import { expect, test } from 'vitest';
test('holds', () => expect(true).toBe(true));
test('breaks', () => expect(1).toBe(2));`,
    );
    writeFileSync(join(dir, 'tests', 'helper.ts'), 'export const helper = 1;\n');
    writeFileSync(
      join(dir, 'tests', 'broken.test.ts'),
      `import { gone } from './missing.js';
import { test } from 'vitest';
test('never runs', () => gone());`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reports each test of every file', async () => {
    const result = await assignment({ dir });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('2 of 6 tests failed');
    expect(result.output?.kind).toBe('vitest');
    if (result.output?.kind !== 'vitest') return;
    const { tests, passed, failed, skipped } = result.output;
    expect({ passed, failed, skipped }).toEqual({ passed: 2, failed: 2, skipped: 2 });
    const byName = new Map(tests.map((t) => [t.name, t]));
    expect(byName.get('math adds')).toMatchObject({ file: 'tests/pass.test.ts', status: 'passed' });
    expect(byName.get('math skipped')).toMatchObject({ status: 'skipped' });
    expect(byName.get('math later')).toMatchObject({ status: 'todo' });
    expect(byName.get('holds')).toMatchObject({ file: 'tests/fail.test.ts', status: 'passed' });
    expect(byName.get('breaks')).toMatchObject({ status: 'failed' });
    expect(byName.get('breaks')?.error).toContain('expected 1 to be 2');
    expect(byName.get('tests/broken.test.ts')).toMatchObject({
      file: 'tests/broken.test.ts',
      status: 'failed',
    });
    expect(byName.get('tests/broken.test.ts')?.error).toContain('missing.js');
  });

  test('succeeds when the selected tests pass', async () => {
    const result = await assignment({
      dir,
      files: ['tests/fail.test.ts'],
      testNamePattern: 'holds',
    });
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(result.error).toBeUndefined();
    // The test the pattern leaves out is no result of the task: not skipped, filtered.
    expect(result.output).toMatchObject({ passed: 1, failed: 0, skipped: 0 });
  });

  test("keeps vitest's own output", async () => {
    const result = await assignment({ dir, files: ['tests/pass.test.ts'] });
    expect(result.status).toBe('succeeded');
    expect(result.output).toMatchObject({ kind: 'vitest', passed: 1, stdoutTruncated: false });
    if (result.output?.kind !== 'vitest') return;
    expect(result.output.stdout).toMatch(/Test Files {2}1 passed \(1\)/);
    expect(result.output.stdout).not.toContain('\u001b['); // no colours
  });

  test("quotes vitest's own message when it runs no test", async () => {
    // The file exists, but is no test file of the project: vitest finds nothing to run.
    const result = await assignment({ dir, files: ['tests/helper.ts'] });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^vitest exited with code 1 \(no tests ran\):\nNo test files found, exiting with code 1\n\nfilter: tests\/helper\.ts\ninclude: /,
    );
    expect(result.output).toMatchObject({ kind: 'vitest', tests: [] });
    if (result.output?.kind !== 'vitest') return;
    expect(result.output.stderr).toContain('No test files found');
  });

  test('a files entry that matches no file fails the task, naming it, before vitest runs', async () => {
    // vitest would run tests/pass.test.ts alone and succeed: the typo would go unnoticed.
    const result = await assignment({ dir, files: ['tests/pass.test.ts', 'tests/fial.test.ts'] });
    expect(result).toEqual({
      status: 'failed',
      durationMs: 0,
      error: `files entry 'tests/fial.test.ts' matches no file or directory in ${dir}`,
    });
    const two = await assignment({
      dir,
      files: ['nope', join(dir, 'tests', 'pass.test.ts'), 'x/'],
    });
    expect(two.error).toBe(`files entries 'nope', 'x/' match no file or directory in ${dir}`);
  });

  test('a project without vitest gets a clear error', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'dtf-vitest-bare-'));
    try {
      const result = await assignment({ dir: bare });
      expect(result).toEqual({
        status: 'failed',
        durationMs: 0,
        error: `no vitest installed for ${bare} (looked for node_modules/vitest there and in every parent directory)`,
      });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
