import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput, TaskView } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

/** The sample suite's project: numeric kernels with their vitest tests. */
const project = fileURLToPath(new URL('../../examples/sample-project', import.meta.url));

let coordinator: CoordinatorProcess;
let client: DtfClient;
beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  await startWorkerProcess(coordinator);
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

async function run(
  files: string[],
  more: { args?: string[]; env?: Record<string, string> } = {},
): Promise<TaskView> {
  const spec: TaskSpecInput = {
    kind: 'vitest',
    retry: { maxRetries: 0 },
    payload: { dir: project, files, ...more },
  };
  const [id] = await client.submit([spec]);
  await client.waitFor({ taskIds: [id!] });
  const [view] = await client.query({ taskIds: [id!] });
  return view!;
}

describe('vitest tasks on a real Node worker, in a real project', () => {
  it('runs the files named, and keeps what vitest printed', async () => {
    const task = await run(['test/kernels.test.js']);
    expect(task.state).toBe('succeeded');
    expect(task.result?.output).toMatchObject({ kind: 'vitest', passed: 5, failed: 0 });
    if (task.result?.output?.kind !== 'vitest') return;
    expect(task.result.output.stdout).toMatch(/Tests {2}5 passed \(5\)/);
  });

  it('fails a task whose files entry matches no file, naming it, instead of running fewer files', async () => {
    const task = await run(['test/kernels.test.js', 'test/mlp.tset.js']);
    expect(task.state).toBe('failed');
    expect(task.result?.error).toBe(
      `files entry 'test/mlp.tset.js' matches no file or directory in ${project}`,
    );
  });

  it('records how long each file took, for the next run to split its files by', async () => {
    const task = await run(['test/kernels.test.js']);
    if (task.result?.output?.kind !== 'vitest') throw new Error('no vitest output');
    expect(task.result.output.files).toEqual([
      { file: 'test/kernels.test.js', durationMs: expect.any(Number) },
    ]);
  });

  it('passes its arguments and environment to vitest', async () => {
    const args = await run(['test/kernels.test.js'], { args: ['--project', 'no-such-project'] });
    expect(args.state).toBe('failed');
    expect(args.result?.error).toContain('no-such-project');
    const env = await run(['test/kernels.test.js'], {
      env: { NODE_OPTIONS: '--require /no/such/preload.cjs' },
    });
    expect(env.state).toBe('failed');
    expect(env.result?.error).toContain('/no/such/preload.cjs');
  });

  it("says why no test ran in vitest's own words", async () => {
    // src/mlp.js exists but is no test file: vitest runs nothing and says which filter it used.
    const task = await run(['src/mlp.js']);
    expect(task.state).toBe('failed');
    expect(task.result?.error).toContain(
      'vitest exited with code 1 (no tests ran):\nNo test files found, exiting with code 1',
    );
    expect(task.result?.error).toContain('filter: src/mlp.js');
    expect(task.result?.error).toContain('include: test/**/*.test.js');
  });
});
