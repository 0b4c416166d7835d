#!/usr/bin/env node
// Runs the deterministic Raft simulation (test/sim) outside vitest, for as many seeds as
// asked: `npm run sim -- --seeds 100000`, or `npm run sim -- --seed 1234` for one with its
// trace. Bundles test/sim/main.ts with esbuild into a temporary directory and runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'dtf-sim-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const outfile = join(dir, 'sim.mjs');
await build({
  entryPoints: [join(root, 'test', 'sim', 'main.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(outfile).href);
process.exitCode = await main(process.argv.slice(2));
