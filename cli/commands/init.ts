import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { glob } from 'tinyglobby';
import { findConfig } from '../config/find-config.js';
import { type ProjectFacts, starterConfig } from '../config/starter-config.js';
import { printStatus } from '../output.js';
import { UsageError } from '../usage-error.js';

const VITEST_CONFIGS = [
  'vitest.config.ts',
  'vitest.config.mts',
  'vitest.config.js',
  'vitest.config.mjs',
];
/** What `dtf run` writes in the project, which git should not keep. */
const IGNORED = ['.dtf/', 'reports/'];

async function projectFacts(dir: string): Promise<ProjectFacts> {
  let manifest: { dependencies?: object; devDependencies?: object; scripts?: { test?: unknown } } =
    {};
  try {
    manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch {
    // no package.json: nothing to learn from it
  }
  const vitest =
    'vitest' in (manifest.devDependencies ?? {}) ||
    'vitest' in (manifest.dependencies ?? {}) ||
    VITEST_CONFIGS.some((name) => existsSync(join(dir, name)));
  const test = typeof manifest.scripts?.test === 'string' ? manifest.scripts.test : '';
  const onnx = await glob('**/*.onnx', {
    cwd: dir,
    ignore: ['**/node_modules/**', '**/.git/**'],
  });
  const folders = [...new Set(onnx.map((file) => file.split('/').slice(0, -1).join('/')))];
  const models =
    onnx.length === 0
      ? undefined
      : folders.length === 1 && folders[0] !== ''
        ? `${folders[0]}/**/*.onnx`
        : '**/*.onnx';
  return { vitest, typecheck: /vitest\b.*--typecheck/.test(test), models };
}

/** Adds what `dtf run` writes to an existing .gitignore; says what it added. */
async function ignoreOutputs(dir: string): Promise<void> {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) return;
  const text = await readFile(file, 'utf8');
  const lines = new Set(text.split('\n').map((line) => line.trim()));
  const missing = IGNORED.filter((entry) => !lines.has(entry) && !lines.has(entry.slice(0, -1)));
  if (missing.length === 0) return;
  await writeFile(
    file,
    `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${missing.join('\n')}\n`,
  );
  printStatus(`added ${missing.join(' and ')} to .gitignore`);
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented dtf.config.ts for the project in this directory')
    .option('--force', 'replace a config that is there already')
    .action(async (options: { force?: boolean }) => {
      const dir = process.cwd();
      const existing = findConfig(dir);
      if (existing !== undefined && options.force !== true) {
        throw new UsageError(
          `${basename(existing)} is there already: edit it, or dtf init --force to replace it`,
        );
      }
      const facts = await projectFacts(dir);
      await writeFile(join(dir, 'dtf.config.ts'), starterConfig(facts));
      printStatus('wrote dtf.config.ts');
      if (!facts.vitest) {
        printStatus(
          'no vitest in package.json: install it (npm install -D vitest) or edit the project',
        );
      }
      if (facts.models !== undefined) printStatus(`its matrix runs the models in ${facts.models}`);
      await ignoreOutputs(dir);
      printStatus('next: npx dtf run');
    });
}
