import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimeout } from '../../../../cli/format/pending.js';
import { loadSuite } from '../../../../cli/run/load-suite.js';
import { loadModels } from '../../../../cli/run/prepare-models.js';
import { suitePool } from '../../../../cli/run/suite-pool.js';
import { checkTaskDirectories } from '../../../../cli/run/task-directories.js';
import { ModelMatrix, Suite, type TaskView } from '../../../../protocol/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const what = "suite file 'x.json'";

function suite(fields: Record<string, unknown>): Suite {
  return Suite.parse({ name: 'x', ...fields });
}

function matrixOn(...workers: string[]) {
  return {
    models: ['mlp'],
    targets: workers.map((worker) => ({ worker, executionProviders: ['wasm'] })),
  };
}

describe('suite files', () => {
  it('name an unknown matrix worker together with the known ones', async () => {
    const dir = tempDir();
    const file = join(dir, 'suite.json');
    writeFileSync(file, JSON.stringify({ name: 'x', matrix: matrixOn('chorme') }));
    await expect(loadSuite(file)).rejects.toThrow(
      /suite file '.*suite\.json'.*matrix\.targets\[0\]\.worker.*"node".*"chromium".*"chrome".*"firefox"/,
    );
  });
});

describe('the pool dtf run starts for a suite', () => {
  it('without a pool, starts one of each browser the matrix targets', () => {
    expect(suitePool(suite({ matrix: matrixOn('node', 'chromium', 'firefox') }), what)).toEqual({
      chromium: 1,
      firefox: 1,
    });
  });

  it('starts no browser for a Node-only suite', () => {
    const tasks = [{ kind: 'command', payload: { command: 'true' } }];
    expect(suitePool(suite({ tasks, matrix: matrixOn('node') }), what)).toEqual({});
  });

  it('starts a Chromium for tasks only a browser runs, and the browser a task names', () => {
    const pageTest = { kind: 'page-test', payload: { module: 'https://x/t.js' } };
    expect(suitePool(suite({ tasks: [pageTest] }), what)).toEqual({ chromium: 1 });
    const onFirefox = { ...pageTest, requirements: { browser: 'firefox' } };
    expect(suitePool(suite({ tasks: [pageTest, onFirefox] }), what)).toEqual({ firefox: 1 });
  });

  it("keeps the suite's pool where it covers every target", () => {
    const pool = { chromium: 2, firefox: 1 };
    expect(suitePool(suite({ pool, matrix: matrixOn('chromium') }), what)).toEqual(pool);
  });

  it('refuses a target whose browser it cannot start, naming what it starts', () => {
    expect(() => suitePool(suite({ matrix: matrixOn('chrome') }), what)).toThrow(
      "suite file 'x.json': matrix target 'chrome' needs a chrome browser, which dtf run cannot start (dtf run starts chromium and firefox); run the suite with --coordinator on a cluster with a chrome worker",
    );
  });

  it("refuses a target the suite's pool does not start", () => {
    const given = suite({ pool: { firefox: 1, chromium: 0 }, matrix: matrixOn('chromium') });
    expect(() => suitePool(given, what)).toThrow(
      `suite file 'x.json': matrix target 'chromium' needs a chromium browser, but the suite's pool starts firefox=1; add it to "pool" or leave "pool" out to start what the suite needs`,
    );
    const gpu = { kind: 'page-test', name: 'gpu', payload: { module: 'https://x/t.js' } };
    const none = suite({ pool: {}, tasks: [gpu] });
    expect(() => suitePool(none, what)).toThrow(
      "task 'gpu' (tasks[0]) needs a browser, but the suite's pool starts no browser",
    );
  });

  it('refuses a pool browser it cannot launch and a label no worker it starts has', () => {
    expect(() => suitePool(suite({ pool: { safari: 1 }, matrix: matrixOn('node') }), what)).toThrow(
      "pool browser 'safari' is not one dtf run can start",
    );
    const labelled = {
      kind: 'command',
      name: 'train',
      payload: { command: 'true' },
      requirements: { labels: { gpu: 'a100' } },
    };
    expect(() => suitePool(suite({ tasks: [labelled] }), what)).toThrow(
      "task 'train' (tasks[0]) requires label gpu=a100, which no worker dtf run starts has",
    );
  });
});

describe('files a suite names', () => {
  it('a missing .onnx model is named with the suite file before anything starts', async () => {
    const missing = join(tempDir(), 'models', 'gone.onnx');
    const matrix = ModelMatrix.parse({
      models: [missing],
      targets: [{ worker: 'node', executionProviders: ['cpu'] }],
    });
    await expect(loadModels(matrix, what)).rejects.toThrow(
      `suite file 'x.json': matrix model '${missing}' does not exist`,
    );
  });

  it('a missing vitest dir or command cwd is named with its task', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'there'));
    const ok = suite({
      tasks: [{ kind: 'command', payload: { command: 'true', cwd: join(dir, 'there') } }],
    });
    await expect(checkTaskDirectories(ok, what)).resolves.toBeUndefined();
    const gone = suite({
      tasks: [
        { kind: 'command', payload: { command: 'true' } },
        { kind: 'vitest', name: 'unit', payload: { dir: join(dir, 'gone') } },
      ],
    });
    await expect(checkTaskDirectories(gone, what)).rejects.toThrow(
      `suite file 'x.json': task 'unit' (tasks[1]): vitest dir '${join(dir, 'gone')}' does not exist`,
    );
  });
});

describe('formatTimeout', () => {
  it('names the tasks that had not ended, their state and why they wait', () => {
    const base = { seq: 1, kind: 'model', attempt: 0, spec: {} } as unknown as TaskView;
    const named: TaskView[] = [
      {
        ...base,
        id: 't1',
        name: 'mlp · chrome · wasm',
        state: 'queued',
        unschedulable: 'unschedulable: no chrome browser worker',
      },
      { ...base, id: 't2', state: 'running', attempt: 2 },
    ];
    expect(formatTimeout(30_000, 3, 13, named)).toBe(
      [
        'timed out after 30.0s with 3 of 13 task(s) not ended:',
        '  mlp · chrome · wasm (t1): queued; unschedulable: no chrome browser worker',
        '  t2: running, attempt 2',
        '  … and 1 more',
      ].join('\n'),
    );
  });
});
