import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CoordinatorProcess,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);

let coordinator: CoordinatorProcess;
/** A project of its own, outside the repository, with the packed `dtf` installed. */
let project: string;
let packedFiles: string[];

/** Runs a command to its end (at most 100 s); rejects with its output when it fails. */
async function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(file, args, { cwd, env: { ...process.env, ...env }, timeout: 100_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${String(error)}\n${stdout}\n${stderr}`);
  }
}

/**
 * `npm pack`s the repository, then installs the tarball into a fresh project without the
 * network: the package's dependencies are linked there from the repository's node_modules
 * beforehand, so npm finds them installed and fetches nothing.
 */
async function installPackedSdk(): Promise<{ project: string; files: string[] }> {
  const packDir = tempDir('dtf-pack-');
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], ROOT);
  const [packed] = JSON.parse(stdout) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const dir = tempDir('dtf-sdk-user-');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }),
  );
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) linkDependency(dir, dep);
  const install = ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'];
  await exec('npm', [...install, join(packDir, packed!.filename)], dir);
  // What a TypeScript project on Node has anyway (linked after the install, which prunes it).
  linkDependency(dir, '@types/node');
  return { project: dir, files: packed!.files.map((f) => f.path) };
}

function linkDependency(projectDir: string, name: string): void {
  const link = join(projectDir, 'node_modules', name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(realpathSync(join(ROOT, 'node_modules', name)), link, 'dir');
}

/**
 * The modules outside the package that the declarations of `entries` (and of every file they
 * import) import: what a TypeScript user must have installed to check code using them.
 */
function declarationImports(packageDir: string, entries: string[]): Set<string> {
  const outside = new Set<string>();
  const seen = new Set<string>();
  const queue = entries.map((entry) => join(packageDir, entry));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
      /(?:from |import\()["']([^"']+)["']/g,
    )) {
      if (specifier!.startsWith('.')) {
        queue.push(join(dirname(file), specifier!.replace(/\.js$/, '.d.ts')));
      } else outside.add(specifier!);
    }
  }
  return outside;
}

/** The ```ts blocks of the SDK page, each a complete module. */
function sdkPageExamples(): string[] {
  const page = readFileSync(join(ROOT, 'docs', 'sdk.md'), 'utf8');
  return [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  await startWorkerProcess(coordinator, { slots: 2 });
  ({ project, files: packedFiles } = await installPackedSdk());
});

describe('the packed SDK', () => {
  it('ships the built code with its type definitions and the docs, without tests or benchmarks', () => {
    for (const file of [
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/client/index.d.ts',
      'dist/protocol/index.d.ts',
      'dist/cli/main.js',
      'dist/browser-worker/page/index.html',
      'docs/sdk.md',
      'docs/protocol.md',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => /^(test|bench)\/|^dist\/bench\/|\.test\./.test(f))).toEqual(
      [],
    );
    // The public types need no package but those it depends on that ship their own types (no
    // @types/ws, say): the client and protocol only zod.
    const installed = join(project, 'node_modules', 'dtf');
    const outside = (entries: string[]) =>
      [...declarationImports(installed, entries)].filter((name) => !name.startsWith('node:'));
    expect(outside(['dist/client/index.d.ts', 'dist/protocol/index.d.ts'])).toEqual(['zod']);
    const { dependencies } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of outside(['dist/index.d.ts'])) {
      const pkg = name
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/');
      expect(Object.keys(dependencies), name).toContain(pkg);
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', pkg, 'package.json'), 'utf8'),
      ) as { types?: string; typings?: string; exports?: unknown };
      expect(manifest.types ?? manifest.typings ?? JSON.stringify(manifest.exports), name).toMatch(
        /\.d\.[cm]?ts/,
      );
    }
  });

  it('is imported by name from an ES module and drives a real coordinator', async () => {
    writeFileSync(
      join(project, 'use.mjs'),
      `import { createRequire } from 'node:module';
import { DtfClient, TaskSpec, TERMINAL_STATES } from 'dtf';
import * as client from 'dtf/client';
import * as protocol from 'dtf/protocol';

const { version } = createRequire(import.meta.url)('dtf/package.json');
if (client.DtfClient !== DtfClient || protocol.TaskSpec !== TaskSpec) throw new Error('two copies');
const dtf = await DtfClient.connect({ urls: [process.env.DTF_COORDINATOR], token: process.env.DTF_TOKEN });
const [id] = await dtf.submit([{ kind: 'command', payload: { command: 'echo', args: ['packed'] } }]);
const [end] = await dtf.waitFor({ taskIds: [id] });
const [view] = await dtf.query({ taskIds: [id] });
await dtf.close();
console.log(JSON.stringify({ version, state: end.state, terminal: TERMINAL_STATES.has(end.state), stdout: view.result.output.stdout }));
`,
    );
    const { stdout } = await exec(process.execPath, ['use.mjs'], project, {
      DTF_COORDINATOR: coordinator.wsUrl,
      DTF_TOKEN: coordinator.adminKey,
    });
    expect(JSON.parse(stdout)).toEqual({
      version: '0.1.0',
      state: 'succeeded',
      terminal: true,
      stdout: 'packed\n',
    });
  });

  it('type-checks TypeScript against its declarations, and the SDK page’s examples compile and run', async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          outDir: 'out',
        },
        include: ['*.ts'],
      }),
    );
    // Were the types missing or `any`, the expected errors would not happen and tsc would fail.
    writeFileSync(
      join(project, 'typed.ts'),
      `import { CoordinatorError, DtfClient, type TaskEvent, type TaskSpecInput } from 'dtf';
import type { ConnectOptions } from 'dtf/client';
import { ERROR_CODES, type TaskView } from 'dtf/protocol';

const spec: TaskSpecInput = { kind: 'vitest', payload: { dir: '/src' } };
// @ts-expect-error a command task needs its command
const incomplete: TaskSpecInput = { kind: 'command', payload: {} };
// @ts-expect-error no such task kind
const unknown: TaskSpecInput = { kind: 'shell', payload: { command: 'true' } };
const options: ConnectOptions = { urls: ['ws://127.0.0.1:1/ws'], reconnect: false };
// @ts-expect-error connect needs its URLs
const noUrls: ConnectOptions = { token: 'x' };
export async function use(client: DtfClient): Promise<[string[], TaskEvent[], TaskView[]]> {
  return [await client.submit([spec]), await client.waitFor({ group: 'g' }), await client.query({ limit: 10 })];
}
export const code: (typeof ERROR_CODES)[number] = new CoordinatorError('conflict', 'x').code;
export { incomplete, noUrls, options, unknown };
`,
    );
    const examples = sdkPageExamples();
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const [i, code] of examples.entries())
      writeFileSync(join(project, `example-${i}.ts`), code);
    await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], project);

    const env = { DTF_COORDINATOR: coordinator.url, DTF_TOKEN: coordinator.adminKey };
    const outputs: string[] = [];
    for (const i of examples.keys()) {
      const { stdout } = await exec(process.execPath, [`out/example-${i}.js`], project, env);
      outputs.push(stdout);
    }
    expect(outputs[0]).toBe('succeeded hello from DTF\n');
    expect(outputs.join('')).toContain('conflict: tasks[0].idempotencyKey:');
    expect(outputs.join('')).toContain(
      'unschedulable: of the workers it may run on, "gone-worker" is not registered\n1 [] [] []\nsucceeded true\n',
    );
  });
});
