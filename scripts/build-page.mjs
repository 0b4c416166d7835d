#!/usr/bin/env node
// Bundles the browser worker page (browser-worker/page/main.ts) into
// dist/browser-worker/page/worker.js, and the Web Worker that holds its WebSocket into
// socket-worker.js, beside its index.html; the coordinator serves them at /worker. And the
// dashboard (dashboard/main.tsx) into dist/dashboard, which it serves at /.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'browser-worker', 'page');
const out = join(root, 'dist', 'browser-worker', 'page');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    worker: join(source, 'main.ts'),
    'socket-worker': join(source, 'socket-worker.ts'),
  },
  outdir: out,
  // The two entries share their code (protocol, worker-core) in chunks the browser loads once.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: true,
  logLevel: 'warning',
});
copyFileSync(join(source, 'index.html'), join(out, 'index.html'));

// The dashboard the coordinator serves at `/`: its script and styles (uPlot's) under /dashboard/.
const dashboardSource = join(root, 'dashboard');
const dashboardOut = join(root, 'dist', 'dashboard');
rmSync(dashboardOut, { recursive: true, force: true });
mkdirSync(dashboardOut, { recursive: true });
await build({
  entryPoints: { dashboard: join(dashboardSource, 'main.tsx') },
  outdir: dashboardOut,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
copyFileSync(join(dashboardSource, 'index.html'), join(dashboardOut, 'index.html'));
