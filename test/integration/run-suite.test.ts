import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeSampleModels } from '../../models/index.js';
import { spawnDtf, startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const sampleSuite = fileURLToPath(new URL('../../examples/sample-suite.json', import.meta.url));

/** Writes `<dir>/<name>.json`: a suite of one model on one target, plus `fields`. */
function matrixSuite(
  dir: string,
  name: string,
  model: string,
  target: { worker: string; executionProviders: string[] },
  fields: Record<string, unknown> = {},
): string {
  return writeSuiteFile(dir, { name, matrix: { models: [model], targets: [target] }, ...fields });
}

/** Runs `dtf run <suite>` on its own coordinator: refused, before it started anything. */
async function refusedBeforeStarting(suite: string, dir: string): Promise<string> {
  const run = spawnDtf(['run', suite, '--out', dir]);
  expect(await run.exited).toBe(1);
  expect(run.output()).not.toMatch(/starting a coordinator/);
  return run.output();
}

describe('dtf run', () => {
  it('runs the sample suite on its own coordinator and worker, prints the table and writes JSON and JUnit', async () => {
    const out = tempDir();
    const run = spawnDtf(['run', sampleSuite, '--out', out]);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/PASS {2}sample: 4\/4 tasks passed, 10\/10 checks passed/);
    // Progress counts the whole suite from its first line on.
    expect(run.output()).toMatch(/^\d\/4 done · /m);
    expect(run.output()).not.toMatch(/^\d+\/[0-35-9]\d* done · /m);
    const report = JSON.parse(readFileSync(join(out, 'sample.results.json'), 'utf8'));
    expect(report).toMatchObject({
      suite: 'sample',
      passed: true,
      counts: { tasks: 4, succeeded: 4 },
    });
    const junit = readFileSync(join(out, 'sample.junit.xml'), 'utf8');
    expect(junit).toContain('<testsuites name="sample" tests="10" failures="0" errors="0"');
  });

  it('exits 1 and reports the failing checks when a task fails', async () => {
    const dir = tempDir();
    const suite = writeSuiteFile(dir, {
      name: 'failing',
      tasks: [
        { name: 'good', kind: 'command', payload: { command: 'true' } },
        {
          name: 'bad',
          kind: 'command',
          payload: { command: 'echo boom >&2; exit 3', shell: true },
        },
      ],
    });
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/bad\s+command\s+failed.*exited with code 3/);
    const junit = readFileSync(join(dir, 'failing.junit.xml'), 'utf8');
    expect(junit).toContain('<failure message="exited with code 3">');
  });

  it("runs a matrix on the user's own .onnx file, relative to the suite, against the onnxruntime-node reference", async () => {
    const dir = tempDir();
    await writeSampleModels(join(dir, 'models'), 3);
    const targets = [{ worker: 'node', executionProviders: ['cpu'] }];
    const suite = writeSuiteFile(dir, {
      name: 'own-model',
      matrix: { models: ['models/cnn.onnx'], targets },
    });
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/cnn\s+node\s+pass \d+\.\d+ ms/);
    const report = JSON.parse(readFileSync(join(dir, 'own-model.results.json'), 'utf8'));
    expect(report.matrix).toEqual([
      expect.objectContaining({ model: 'cnn', verdict: 'pass', maxAbsError: 0 }),
    ]);
  });

  it('names a corrupt .onnx file before running anything', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.onnx'), 'this is not protobuf');
    const targets = [{ worker: 'node', executionProviders: ['cpu'] }];
    const suite = writeSuiteFile(dir, {
      name: 'broken',
      matrix: { models: ['broken.onnx'], targets },
    });
    expect(await refusedBeforeStarting(suite, dir)).toMatch(/not an ONNX model: .*broken\.onnx/);
  });

  it('names the problem in a bad suite file without starting anything', async () => {
    const dir = tempDir();
    const suite = writeSuiteFile(dir, { name: 'bad', tasks: [{ kind: 'teleport', payload: {} }] });
    expect(await refusedBeforeStarting(suite, dir)).toMatch(
      /suite file '.*bad\.json'.*tasks\[0\]\.kind: unknown task kind "teleport"/,
    );
  });

  it('refuses a matrix target whose browser it cannot start, before starting anything', async () => {
    const dir = tempDir();
    const suite = matrixSuite(dir, 'chrome', 'mlp', {
      worker: 'chrome',
      executionProviders: ['wasm'],
    });
    expect(await refusedBeforeStarting(suite, dir)).toMatch(
      /suite file '.*chrome\.json': matrix target 'chrome' needs a chrome browser, which dtf run cannot start \(dtf run starts chromium and firefox\)/,
    );
  });

  it("refuses a target the suite's pool does not start, before starting anything", async () => {
    const dir = tempDir();
    const firefox = { worker: 'firefox', executionProviders: ['wasm'] };
    const suite = matrixSuite(dir, 'no-firefox', 'mlp', firefox, { pool: { chromium: 1 } });
    expect(await refusedBeforeStarting(suite, dir)).toMatch(
      /matrix target 'firefox' needs a firefox browser, but the suite's pool starts chromium=1/,
    );
  });

  it('names a missing .onnx file and the suite file before starting anything', async () => {
    const dir = tempDir();
    const node = { worker: 'node', executionProviders: ['cpu'] };
    const suite = matrixSuite(dir, 'missing', 'models/gone.onnx', node);
    const output = await refusedBeforeStarting(suite, dir);
    expect(output).toMatch(
      /dtf: suite file '.*missing\.json': matrix model '.*models\/gone\.onnx' does not exist/,
    );
    expect(output).not.toMatch(/ENOENT/);
  });

  it('on a cluster with no worker for a target, shows why the cell waits, and at --timeout cancels it and reports', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(coordinator);
    const dir = tempDir();
    const chromium = { worker: 'chromium', executionProviders: ['wasm'] };
    const suite = matrixSuite(dir, 'cluster', 'mlp', chromium);
    const access = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const run = spawnDtf(['run', suite, '--out', dir, '--timeout', '10s', ...access]);
    await run.waitFor(
      /0\/1 done · 0 running · 1 queued · 0 failed · 1 unschedulable: no chromium browser worker/,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      /timed out after 10\.0s with 1 of 1 task\(s\) not ended:\n {2}mlp · chromium · wasm \(\S+\): queued; unschedulable: no chromium browser worker\ncancelling the tasks that have not ended/,
    );
    expect(run.output()).toMatch(
      /dtf: suite 'cluster' timed out after 10\.0s \(--timeout\); what had not ended was cancelled/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'cluster.results.json'), 'utf8'));
    expect(report).toMatchObject({
      passed: false,
      tasks: [expect.objectContaining({ state: 'cancelled' })],
    });
  });

  it('at --timeout on its own coordinator, cancels what runs and stops every process it started', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'sleep.pid');
    const suite = writeSuiteFile(dir, {
      name: 'slow',
      tasks: [
        {
          name: 'sleeper',
          kind: 'command',
          payload: { command: 'echo $$ > "$1"; exec sleep 60', args: [pidFile], shell: true },
        },
      ],
    });
    const run = spawnDtf(['run', suite, '--out', dir, '--timeout', '10s']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      /timed out after 10\.0s with 1 of 1 task\(s\) not ended:\n {2}sleeper \(\S+\): running, attempt 1/,
    );
    expect(run.output()).toMatch(/sleeper\s+command\s+cancelled/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
