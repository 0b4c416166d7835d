import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { spawnDtf, startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const root = fileURLToPath(new URL('../../', import.meta.url));
const numerics = join(root, 'examples/plugins/numerics/index.ts');
const tap = join(root, 'examples/plugins/tap.ts');

/** A project whose `dtf.config.ts` is `config`; returns its directory. */
function project(config: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'dtf.config.ts'), config);
  return dir;
}

describe('plugins', () => {
  it("dtf run: a config's plugin runs its task kind on the Node worker, reports the run as TAP and hears every task end; a runner or hook that throws is named", async () => {
    const dir = project(`
import { defineConfig, definePlugin } from 'dtf';
import numerics from ${JSON.stringify(numerics)};
import tap from ${JSON.stringify(tap)};

const ended: string[] = [];
export default defineConfig({
  name: 'plugged',
  plugins: [
    numerics(),
    tap(),
    definePlugin({
      name: 'lifecycle',
      onRunStart: (run) => console.error(\`started \${run.suite} with \${run.tasks} task(s)\`),
      onTaskEnd: (event) => { ended.push(event.state); },
      onRunEnd: (report) => console.error(\`ended: \${ended.sort().join(',')}; \${report.counts.cases} cases\`),
    }),
    definePlugin({
      name: 'broken',
      runners: { explode: { run: () => { throw new Error('kaboom'); } } },
      onRunEnd: () => { throw new Error('hook broke'); },
    }),
  ],
  tasks: [
    { kind: 'plugin', name: 'loose', payload: { runner: 'numerics', input: { size: 512 } } },
    { kind: 'plugin', name: 'strict', payload: { runner: 'numerics', input: { kernels: ['logSumExp'], tolerance: 1e-9 } } },
    { kind: 'plugin', name: 'boom', payload: { runner: 'explode' } },
  ],
});
`);
    const run = spawnDtf(['run'], {}, dir);
    expect(await run.exited, run.output()).toBe(1);
    const output = run.output();
    expect(output).toContain('started plugged with 3 task(s)');
    expect(output).toContain('ended: failed,failed,succeeded; 6 cases');
    // A hook that throws is named, the run fails, and the other plugins' hooks still ran.
    expect(output).toContain('plugin broken: onRunEnd failed: hook broke');
    expect(output).toMatch(/largest error\s+softmax\s+gelu\s+layerNorm\s+logSumExp/);
    const tapFile = readFileSync(join(dir, 'reports/plugged.tap'), 'utf8');
    expect(tapFile).toMatch(/^TAP version 14\n1\.\.6\n/);
    expect(tapFile).toContain('ok 1 - loose > softmax\n');
    expect(tapFile).toMatch(/not ok 5 - strict > logSumExp\n {2}---\n/);
    expect(tapFile).toMatch(/message: \|-\n {6}max error \S+ above the tolerance 1e-9/);
    // A runner that throws fails its task with the error.
    expect(tapFile).toMatch(
      /not ok \d - boom\n {2}---\n[\s\S]*message: \|-\n {6}plugin runner 'explode' threw: kaboom/,
    );
  }, 60_000);

  it('dtf worker --plugin runs its runners; dtf coordinator --plugin places by its scheduler hooks', async () => {
    const coordinator = await startCoordinatorProcess(tempDir(), {
      extraArgs: ['--plugin', numerics],
    });
    // The plugin keeps its tasks off `off`, though it has the most free slots.
    const off = await startWorkerProcess(coordinator, {
      slots: 4,
      labels: { numerics: 'off' },
      plugins: [numerics],
    });
    expect(off.output()).toContain('plugin runners: numerics');
    const on = await startWorkerProcess(coordinator, { slots: 1, plugins: [numerics] });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    try {
      const specs = Array.from({ length: 3 }, (_, i) => ({
        kind: 'plugin' as const,
        name: `n${i}`,
        group: 'numerics',
        payload: { runner: 'numerics', input: { size: 64 } },
      }));
      await client.submit(specs);
      const ended = await client.waitFor({ group: 'numerics' });
      expect(ended.map((e) => e.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(new Set(ended.map((e) => e.workerId))).toEqual(new Set([on.workerId]));
      const [view] = await client.query({ taskIds: [ended[0]!.taskId] });
      expect(view!.spec.requirements).toMatchObject({
        workerKind: 'node',
        features: ['runner:numerics'],
      });
      expect(view!.result?.output).toMatchObject({
        kind: 'plugin',
        runner: 'numerics',
        passed: 4,
        failed: 0,
        output: { engine: `Node ${process.versions.node}` },
      });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses a plugin with a misspelt hook, and a task whose runner no plugin gives, before anything starts', async () => {
    const misspelt = spawnDtf(
      ['run'],
      {},
      project(`
import { defineConfig } from 'dtf';
export default defineConfig({
  plugins: [{ name: 'typo', onRunEnds: () => {} } as never],
  tasks: [{ kind: 'command', payload: { command: 'true' } }],
});
`),
    );
    expect(await misspelt.exited, misspelt.output()).toBe(2);
    expect(misspelt.output()).toMatch(
      /config: plugins\[0\]: plugin 'typo': unknown option 'onRunEnds'/,
    );

    const unknown = spawnDtf(
      ['run'],
      {},
      project(`
export default {
  tasks: [{ kind: 'plugin', payload: { runner: 'nope' } }],
};
`),
    );
    expect(await unknown.exited, unknown.output()).toBe(2);
    expect(unknown.output()).toContain(
      "tasks[0]: no plugin of the config gives a runner 'nope' to the Node workers dtf run starts (runners: none)",
    );
    expect(unknown.output()).not.toMatch(/starting a coordinator/);
  }, 60_000);
});
