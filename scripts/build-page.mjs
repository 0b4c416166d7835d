#!/usr/bin/env node
// Bundles the browser worker page (browser-worker/page/main.ts) into
// dist/browser-worker/page/worker.js, and the Web Worker that holds its WebSocket into
// socket-worker.js, beside its index.html; the coordinator serves them at /worker. And the
// dashboard (dashboard/main.tsx) into dist/dashboard, which it serves at /. Each page's styles
// (ui/base.css, uPlot's) come out beside its script.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles `entryPoints` of the page in `source` into `out`, with its index.html. */
async function bundlePage(source, out, options) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: true,
    logLevel: 'warning',
    ...options,
  });
  copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
}

const page = join(root, 'browser-worker', 'page');
await bundlePage(page, join(root, 'dist', 'browser-worker', 'page'), {
  entryPoints: { worker: join(page, 'main.ts'), 'socket-worker': join(page, 'socket-worker.ts') },
  // The two entries share their code (protocol, worker-core) in chunks the browser loads once.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
const dashboard = join(root, 'dashboard');
await bundlePage(dashboard, join(root, 'dist', 'dashboard'), {
  entryPoints: { dashboard: join(dashboard, 'main.tsx') },
  minify: true,
});
