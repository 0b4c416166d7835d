import { readFileSync, writeFileSync } from 'node:fs';
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

it("dtf run bundles a plugin's page runner and runs its task kind in Chromium, Firefox and on the Node worker", async () => {
  const dir = tempDir();
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
  name: 'engines',
  plugins: [numerics()],
  tasks: [task('node'), task('chromium', 'chromium'), task('firefox', 'firefox')],
  pool: { chromium: 1, firefox: 1 },
});
`,
  );
  const run = spawnDtf(['run'], {}, dir);
  expect(await run.exited, run.output()).toBe(0);
  const output = run.output();
  // The table the plugin prints at the run's end: one row per engine.
  expect(output).toMatch(/\nNode \S+ +\d/);
  expect(output).toMatch(/\nChrome \d+ +\d/);
  expect(output).toMatch(/\nFirefox \d+ +\d/);
  const report = JSON.parse(readFileSync(join(dir, 'reports/engines.results.json'), 'utf8')) as {
    tasks: Array<{
      name: string;
      state: string;
      result: { output: { kind: string; passed: number; output: { engine: string } } };
    }>;
  };
  const engines = Object.fromEntries(
    report.tasks.map((task) => [task.name, task.result.output.output.engine]),
  );
  expect(engines.node).toBe(`Node ${process.versions.node}`);
  expect(engines.chromium).toMatch(/Chrome\/\d+/);
  expect(engines.firefox).toMatch(/Firefox\/\d+/);
  for (const task of report.tasks) {
    expect(task).toMatchObject({
      state: 'succeeded',
      result: { output: { kind: 'plugin', passed: 4 } },
    });
  }
}, 120_000);
