import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sendRestError } from '../errors.js';

/** Where the build puts the bundled dashboard: dist/dashboard, beside dist/coordinator. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

/** The dashboard's path below the root, where its bundle and styles are served. */
export const DASHBOARD_ASSETS_PATH = '/dashboard';

function built(res: express.Response, next: express.NextFunction): void {
  if (existsSync(join(DASHBOARD_DIR, 'index.html'))) next();
  else
    sendRestError(
      res,
      'not_found',
      `the dashboard is not built (${DASHBOARD_DIR}); run npm run build`,
    );
}

/**
 * The dashboard at `/` and its files under `/dashboard/`. The page is public; it asks for a key,
 * which its WebSocket and REST calls present.
 */
export function dashboardRoutes(): Router {
  const router = Router();
  router.get(
    '/',
    (_req, res, next) => built(res, next),
    (_req, res) => {
      res.sendFile(join(DASHBOARD_DIR, 'index.html'));
    },
  );
  router.use(
    DASHBOARD_ASSETS_PATH,
    (_req, res, next) => built(res, next),
    express.static(DASHBOARD_DIR, { index: false }),
  );
  return router;
}
