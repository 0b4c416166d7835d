import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeSampleModels } from '../../models/index.js';
import { spawnDtf } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const sampleSuite = fileURLToPath(new URL('../../examples/sample-suite.json', import.meta.url));

describe('dtf run', () => {
  it('runs the sample suite on its own coordinator and worker, prints the table and writes JSON and JUnit', async () => {
    const out = tempDir();
    const run = spawnDtf(['run', sampleSuite, '--out', out]);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/PASS {2}sample: 4\/4 tasks passed, 10\/10 checks passed/);
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
    const suite = join(dir, 'failing.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'failing',
        tasks: [
          { name: 'good', kind: 'command', payload: { command: 'true' } },
          {
            name: 'bad',
            kind: 'command',
            payload: { command: 'echo boom >&2; exit 3', shell: true },
          },
        ],
      }),
    );
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/bad\s+command\s+failed.*exited with code 3/);
    const junit = readFileSync(join(dir, 'failing.junit.xml'), 'utf8');
    expect(junit).toContain('<failure message="exited with code 3">');
  });

  it("runs a matrix on the user's own .onnx file, relative to the suite, against the onnxruntime-node reference", async () => {
    const dir = tempDir();
    await writeSampleModels(join(dir, 'models'), 3);
    const suite = join(dir, 'own-model.json');
    const targets = [{ worker: 'node', executionProviders: ['cpu'] }];
    writeFileSync(
      suite,
      JSON.stringify({ name: 'own-model', matrix: { models: ['models/cnn.onnx'], targets } }),
    );
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
    const suite = join(dir, 'broken.json');
    const targets = [{ worker: 'node', executionProviders: ['cpu'] }];
    writeFileSync(
      suite,
      JSON.stringify({ name: 'broken', matrix: { models: ['broken.onnx'], targets } }),
    );
    const run = spawnDtf(['run', suite, '--out', dir]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/not an ONNX model: .*broken\.onnx/);
  });

  it('names the problem in a bad suite file without starting anything', async () => {
    const dir = tempDir();
    const suite = join(dir, 'bad.json');
    writeFileSync(
      suite,
      JSON.stringify({ name: 'bad', tasks: [{ kind: 'teleport', payload: {} }] }),
    );
    const run = spawnDtf(['run', suite]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      /suite file '.*bad\.json'.*tasks\[0\]\.kind: unknown task kind "teleport"/,
    );
  });
});
