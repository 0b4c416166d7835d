import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput, VitestOutput } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  processMark,
  type Spawned,
  startCoordinatorProcess,
  startWorkerProcess,
  waitForMarked,
  waitUntilNoneMarked,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

const repoNodeModules = resolve(import.meta.dirname, '../../node_modules');

/** test/lib.test.ts: two tests of `double`, and `more` after them. */
const libTests = (more = '') => `import { expect, test } from 'vitest';
import { double } from '../src/lib';
test('doubles', () => expect(double(2)).toBe(4));
test('doubles zero', () => expect(double(0)).toBe(0));
${more}`;

/** A project with a runtime test of src/lib.ts and a type test of it; returns its directory. */
function writeProject(more: { config?: string } = {}): string {
  const dir = tempDir('dtf-warm-vitest-');
  symlinkSync(repoNodeModules, join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'warm', type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['src', 'test'],
    }),
  );
  writeFileSync(join(dir, 'vitest.config.mjs'), more.config ?? 'export default {};\n');
  writeFileSync(join(dir, 'src/lib.ts'), 'export const double = (n: number): number => n * 2;\n');
  writeFileSync(join(dir, 'test/lib.test.ts'), libTests());
  writeFileSync(
    join(dir, 'test/lib.test-d.ts'),
    `import { expectTypeOf, test } from 'vitest';
import { double } from '../src/lib';
test('returns a number', () => expectTypeOf(double(1)).toEqualTypeOf<number>());
`,
  );
  return dir;
}

let coordinator: CoordinatorProcess;
let worker: Spawned;
let client: DtfClient;
const mark = processMark();
beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  worker = await startWorkerProcess(coordinator, { env: mark.env });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

async function run(
  dir: string,
  payload: Partial<Extract<TaskSpecInput, { kind: 'vitest' }>['payload']> = {},
  timeoutMs?: number,
) {
  const spec: TaskSpecInput = {
    kind: 'vitest',
    retry: { maxRetries: 0 },
    payload: { dir, args: ['--typecheck'], ...payload },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  const [id] = await client.submit([spec]);
  await client.waitFor({ taskIds: [id!] });
  const [view] = await client.query({ taskIds: [id!] });
  const output = view!.result?.output as VitestOutput | undefined;
  const tests = Object.fromEntries((output?.tests ?? []).map((t) => [t.name, t.status]));
  const stdout = (view!.result?.output as { stdout?: string } | undefined)?.stdout ?? '';
  return {
    state: view!.state,
    error: view!.result?.error,
    warm: output?.warm === true,
    tests,
    stdout,
  };
}

/** The warm vitests the worker runs now, by their command line. */
const warmHosts = () =>
  waitForMarked(mark.entry, () => true, 'the processes').then((all) =>
    all.filter((p) => p.command.includes('vitest-host/host.js')),
  );

describe('a Node worker keeps vitest warm between the tasks of a project', () => {
  it('runs the next task in the same vitest, which sees every file as it is now', async () => {
    const dir = writeProject();
    const first = await run(dir);
    expect(first).toMatchObject({ state: 'succeeded', warm: false });
    expect(first.tests).toEqual({
      doubles: 'passed',
      'doubles zero': 'passed',
      'test/lib.test-d.ts returns a number': 'passed',
    });

    // A changed source file, a test added to a test file, a type test that no longer holds.
    writeFileSync(
      join(dir, 'src/lib.ts'),
      'export const double = (n: number): string => String(n * 3);\n',
    );
    writeFileSync(
      join(dir, 'test/lib.test.ts'),
      libTests("test('doubles one', () => expect(double(1)).toBe(2));\n"),
    );
    const second = await run(dir);
    expect(second).toMatchObject({ state: 'failed', warm: true });
    expect(second.tests).toEqual({
      doubles: 'failed',
      'doubles zero': 'failed',
      'doubles one': 'failed',
      'test/lib.test-d.ts returns a number': 'failed',
    });

    // A name pattern holds for its task only.
    const selected = await run(dir, { testNamePattern: '^doubles one$' });
    expect(selected).toMatchObject({ warm: true, tests: { 'doubles one': 'failed' } });
    expect(Object.keys(selected.tests)).toEqual(['doubles one']);
    const all = await run(dir);
    expect(all.warm).toBe(true);
    expect(Object.keys(all.tests)).toHaveLength(4);
    expect(await warmHosts()).toHaveLength(1);
  });

  it('starts a fresh vitest when the config changed, or when the task asks for one', async () => {
    const dir = writeProject();
    expect(await run(dir)).toMatchObject({ state: 'succeeded', warm: false });
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      "export default { test: { typecheck: { include: ['no-type-tests/**'] } } };\n",
    );
    const changed = await run(dir);
    expect(changed).toMatchObject({ state: 'succeeded', warm: false });
    // The config now finds no type test.
    expect(Object.keys(changed.tests).sort()).toEqual(['doubles', 'doubles zero']);
    expect(await run(dir, { warm: false })).toMatchObject({ state: 'succeeded', warm: false });
    expect(await run(dir)).toMatchObject({ state: 'succeeded', warm: true });
  });

  // Without --typecheck from here: no tsc to wait for.
  it('runs a project with a global set-up in a vitest of its own every time', async () => {
    const dir = writeProject({
      config: "export default { test: { globalSetup: ['./setup.mjs'] } };\n",
    });
    writeFileSync(join(dir, 'setup.mjs'), 'export default () => {};\n');
    expect(await run(dir, { args: [] })).toMatchObject({ state: 'succeeded', warm: false });
    expect(await run(dir, { args: [] })).toMatchObject({ state: 'succeeded', warm: false });
  });

  it('kills a warm vitest whose task timed out, and starts a fresh one for the next', async () => {
    const dir = writeProject();
    writeFileSync(
      join(dir, 'test/hangs.test.ts'),
      "import { test } from 'vitest';\ntest('hangs', () => new Promise(() => {}), 600_000);\n",
    );
    expect(await run(dir, { files: ['test/lib.test.ts'], args: [] })).toMatchObject({
      state: 'succeeded',
    });
    const hung = await run(dir, { files: ['test/hangs.test.ts'], args: [] }, 3_000);
    expect(hung.state).toBe('timed_out');
    // What vitest printed before it hung, kept though the host had run a task before.
    expect(hung.stdout).toContain('RUN  v');
    expect(await run(dir, { files: ['test/lib.test.ts'], args: [] })).toMatchObject({
      state: 'succeeded',
      warm: false,
    });
  });

  it('times a task out whose vitest config never finishes loading', async () => {
    // A timer keeps the process alive, so the load waits instead of Node ending it.
    const dir = writeProject({
      config: 'export default new Promise(() => setInterval(() => {}, 1_000));\n',
    });
    const stuck = await run(dir, { args: [] }, 3_000);
    expect(stuck.state).toBe('timed_out');
  });

  it('closes its warm vitests when it stops', async () => {
    const hosts = await warmHosts();
    expect(hosts.length).toBeGreaterThan(0);
    const seen = await waitForMarked(mark.entry, () => true, 'the processes');
    worker.child.kill('SIGTERM');
    expect(await worker.exitWithin(15_000, 'the worker')).toBe(0);
    await waitUntilNoneMarked(mark.entry, seen);
  });
});
