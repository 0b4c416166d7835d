import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { WORKER_PAGE_PATH } from '../../protocol/index.js';
import { sendRestError } from './errors.js';
import { dashboardRoutes } from './routes/dashboard-page.js';
import { EXAMPLE_PAGE_TESTS_PATH, examplePageTestRoutes } from './routes/example-page-tests.js';
import { workerPageRoutes } from './routes/worker-page.js';

/**
 * The static files the route table's folder routes hand on: the worker page with
 * onnxruntime-web's files, the page-test examples, and the dashboard. Express serves them (ranges, caching,
 * content types); the table has already applied each route's policy.
 */
export function staticFiles(): (req: IncomingMessage, res: ServerResponse) => void {
  const app = express();
  app.disable('x-powered-by');
  app.use(WORKER_PAGE_PATH, workerPageRoutes());
  app.use(EXAMPLE_PAGE_TESTS_PATH, examplePageTestRoutes());
  app.use(dashboardRoutes());
  app.use((req, res) => sendRestError(res, 'not_found', `no route ${req.method} ${req.path}`));
  return app;
}
