#!/usr/bin/env node
// Compiles the TypeScript into dist/ and bundles the browser worker page, unless dist/ is newer
// than every source (`--force`: always). Both `npm test`'s setup and the test projects that run
// the compiled CLI call it: the second finds nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Written once a build has succeeded; its time is the build's. */
const stamp = join(root, 'dist', '.built');

function newestIn(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

function sources() {
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  return [
    ...include,
    'tsconfig.json',
    'package-lock.json',
    'browser-worker/page',
    'dashboard',
    'ui',
    'scripts/build.mjs',
    'scripts/build-page.mjs',
  ].map((path) => join(root, path));
}

function run(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['inherit', 2, 2] });
  if (result.status !== 0) {
    console.error(`dtf build: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const force = process.argv.includes('--force');
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (!force && built > Math.max(...sources().map(newestIn))) {
  console.error('dtf build: dist/ is up to date');
} else {
  console.error('dtf build: compiling…');
  run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], 'tsc');
  console.error('dtf build: bundling the browser worker page and the dashboard…');
  run([join(root, 'scripts', 'build-page.mjs')], 'the page bundle');
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
