import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sendRestError } from '../errors.js';

/** examples/page-tests of the checkout the coordinator runs from (dist/ sits beside it). */
const EXAMPLES_DIR = fileURLToPath(new URL('../../../../examples/page-tests/', import.meta.url));

/** Where the page-test examples are served. */
export const EXAMPLE_PAGE_TESTS_PATH = '/examples/page-tests';

/**
 * The page-test modules of examples/page-tests at `/examples/page-tests/`, so that a `page-test`
 * task can name one by its path on the coordinator, as the protocol's example does. Public, as
 * the worker page is, and with CORS, so that a worker page of another origin may import them.
 */
export function examplePageTestRoutes(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('access-control-allow-origin', '*');
    next();
  });
  router.use(express.static(EXAMPLES_DIR, { index: false }));
  router.use((req, res) => {
    const why = existsSync(EXAMPLES_DIR)
      ? `examples/page-tests has no file ${req.path.slice(1)}`
      : `this installation has no examples/page-tests (${EXAMPLES_DIR})`;
    sendRestError(res, 'not_found', `no page-test example at ${req.originalUrl}: ${why}`);
  });
  return router;
}
