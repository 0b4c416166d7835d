import type Database from 'better-sqlite3';
import express, { type Express } from 'express';
import { WORKER_PAGE_PATH } from '../../protocol/index.js';
import type { Credentials } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { requireRole } from './auth.js';
import { errorHandler, sendRestError } from './errors.js';
import { jsonBody } from './json-body.js';
import { artifactRoutes } from './routes/artifacts.js';
import { drainRoutes } from './routes/drain.js';
import { examplePageTestRoutes } from './routes/example-page-tests.js';
import { raftAdminRoutes } from './routes/raft-admin.js';
import { shardSpeedRoutes } from './routes/shard-speeds.js';
import { stageOutputRoutes } from './routes/stage-outputs.js';
import { statusRoutes } from './routes/status.js';
import { taskRoutes } from './routes/tasks.js';
import { whoamiRoutes } from './routes/whoami.js';
import { workerPageRoutes } from './routes/worker-page.js';
import { workerRoutes } from './routes/workers.js';

export function createApp(
  ctx: CoordinatorContext,
  db: Database.Database,
  metrics: CoordinatorMetrics,
  credentials: Credentials | undefined,
): Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses are small and uncached; hashing every body for an ETag only costs CPU.
  app.set('etag', false);
  app.use(WORKER_PAGE_PATH, workerPageRoutes());
  app.use('/examples/page-tests', examplePageTestRoutes());
  app.use('/api', artifactRoutes(ctx.artifacts, ctx.artifactReplicas, credentials));
  app.use('/api', stageOutputRoutes(ctx, credentials));
  app.use(jsonBody(ctx.maxMessageBytes, credentials));
  app.use('/api', statusRoutes(ctx, db, metrics, credentials));
  app.use('/api', workerRoutes(ctx, credentials));
  app.use('/api', whoamiRoutes(credentials));
  app.use('/api', drainRoutes(ctx, credentials));
  app.use('/api', raftAdminRoutes(ctx, credentials));
  app.use('/api', requireRole(credentials, ['admin']), taskRoutes(ctx));
  app.use('/api', requireRole(credentials, ['admin']), shardSpeedRoutes(ctx));
  app.use((req, res) => sendRestError(res, 'not_found', `no route ${req.method} ${req.path}`));
  app.use(errorHandler());
  return app;
}
