/** What `dtf init` found in the project it runs in. */
export interface ProjectFacts {
  /** vitest is a dependency, or the project has a vitest config. */
  vitest: boolean;
  /** The test script runs vitest with `--typecheck`. */
  typecheck: boolean;
  /** A glob of the project's `.onnx` files, when it has some. */
  models?: string | undefined;
}

/** A commented `dtf.config.ts` for a project: every option a newcomer needs, most of them off. */
export function starterConfig(facts: ProjectFacts): string {
  const args = facts.typecheck ? `['--typecheck']` : '[]';
  const matrix = facts.models === undefined ? '// ' : '';
  const models = facts.models ?? 'models/**/*.onnx';
  return `import { defineConfig } from 'dtf';

// dtf run reads this file (flags given to dtf run win over it); docs/config.md lists every option.
export default defineConfig({
  projects: [
    {
      name: 'unit',
      runner: 'vitest',
      // vitest's own config finds the test files; these globs only narrow what it finds.
      // include: ['test/**/*.test.ts'],
      // exclude: ['test/slow/**'],
      // More arguments for \`vitest run\`, and environment variables.
      args: ${args},
      // env: { TZ: 'UTC' },
    },
  ],
  // The Node workers dtf run starts (without a coordinator of yours), and the slots of each.
  workers: { count: 1 },
  // Keep the database here: the results of every run (dtf runs, dtf trends), and the durations
  // the next run splits its test files by.
  dataDir: '.dtf',
  // reporters: ['list', 'json', 'junit', 'html'],
  // out: 'reports',
  // timeout: '30m',
  // retries: 1,
  // Run on coordinators of yours instead (the token from --token or DTF_TOKEN):
  // coordinator: ['ws://ci-coordinator:8787/ws'],
  // Cross-browser model tests: each model on each target, compared with onnxruntime-node.
  ${matrix}matrix: {
  ${matrix}  models: ['${models}'],
  ${matrix}  targets: [
  ${matrix}    { worker: 'node', executionProviders: ['cpu'] },
  ${matrix}    { worker: 'chromium', executionProviders: ['wasm'] },
  ${matrix}  ],
  ${matrix}},
});
`;
}
