import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sendRestError } from '../errors.js';

/** Where the build puts the bundled page: dist/browser-worker/page, beside dist/coordinator. */
const PAGE_DIR = fileURLToPath(new URL('../../../browser-worker/page/', import.meta.url));

/** onnxruntime-web's dist folder: its main file lives there (the package exports no package.json). */
function ortDir(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

/**
 * The browser worker page at `/worker`: opening `/worker?token=...` in any browser makes it a
 * worker. onnxruntime-web's module and wasm files are served beside it under `/worker/ort/`.
 * The page itself is public; its WebSocket needs the token.
 */
export function workerPageRoutes(): Router {
  const router = Router();
  router.use('/ort', express.static(ortDir(), { immutable: true, maxAge: '1y', index: false }));
  router.use((_req, res, next) => {
    if (existsSync(join(PAGE_DIR, 'index.html'))) next();
    else
      sendRestError(
        res,
        'not_found',
        `the worker page is not built (${PAGE_DIR}); run npm run build`,
      );
  });
  router.use(express.static(PAGE_DIR, { index: 'index.html' }));
  return router;
}
