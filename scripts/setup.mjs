#!/usr/bin/env node
// Brings a fresh clone to a runnable state: checks Node, installs dependencies when they are
// missing or stale, and compiles. Plain JavaScript with no dependencies, so it runs before
// `npm ci` ever has. `npm start` and `npm test` run it first.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  console.error(`dtf setup: ${message}`);
  process.exit(1);
}

function run(command, args, what) {
  console.error(`dtf setup: ${what}…`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['inherit', 2, 2] });
  if (result.status !== 0)
    fail(
      `${what} failed (${command} ${args.join(' ')} exited with ${result.status ?? result.signal})`,
    );
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20)
  fail(
    `Node.js 20 or newer is needed; this is ${process.version}. Install it from https://nodejs.org or your package manager.`,
  );

const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run(
    npm,
    ['ci', '--no-audit', '--no-fund'],
    'installing dependencies (better-sqlite3 compiles from source where no prebuilt binary fits: about 2 minutes)',
  );
}
run(
  process.execPath,
  [join(root, 'scripts', 'build.mjs')],
  'building (unless dist/ is up to date)',
);
// Browser workers and the e2e tests need Chromium and Firefox; npm never downloads them.
run(
  process.execPath,
  [join(root, 'dist', 'cli', 'main.js'), 'browsers', '--install'],
  'finding Chromium and Firefox (installing them with apt-get where missing and allowed)',
);
