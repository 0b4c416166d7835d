import { monitorEventLoopDelay } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { Router } from 'express';
import { PROTOCOL_VERSION } from '../../../protocol/index.js';
import type { Credentials } from '../../auth/index.js';
import type { CoordinatorContext } from '../../context.js';
import type { CoordinatorMetrics } from '../../metrics.js';
import { countTasksByState, countWorkersByStatus } from '../../queries.js';
import { requireRole } from '../auth.js';

export function statusRoutes(
  ctx: CoordinatorContext,
  db: Database.Database,
  metrics: CoordinatorMetrics,
  credentials: Credentials | undefined,
): Router {
  const router = Router();
  const admin = requireRole(credentials, ['admin']);
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/health/db', admin, (_req, res) => {
    const started = performance.now();
    db.prepare('SELECT 1').get();
    res.json({
      status: 'ok',
      journalMode: db.pragma('journal_mode', { simple: true }),
      pageCount: db.pragma('page_count', { simple: true }),
      pageSize: db.pragma('page_size', { simple: true }),
      queryMs: performance.now() - started,
    });
  });

  router.get('/health/resources', admin, (_req, res) => {
    const memory = process.memoryUsage();
    res.json({
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
      },
      uptimeSeconds: process.uptime(),
    });
  });

  router.get('/status', admin, (_req, res) => {
    const cluster = ctx.cluster?.status();
    res.json({
      role: cluster?.role ?? 'standalone',
      ...(cluster === undefined
        ? {}
        : {
            raft: {
              id: cluster.id,
              term: cluster.term,
              leader: cluster.leader,
              leaderUrl: cluster.leaderUrl,
              commitIndex: cluster.commit,
              appliedIndex: cluster.applied,
              firstIndex: cluster.firstIndex,
              lastIndex: cluster.lastIndex,
              readRounds: cluster.readRounds,
            },
          }),
      protocolVersion: PROTOCOL_VERSION,
      startedAt: ctx.startedAt,
      uptimeMs: ctx.now() - ctx.startedAt,
      tasks: countTasksByState(ctx.state),
      queued: ctx.state.ready.size,
      workers: countWorkersByStatus(ctx.state),
    });
  });

  router.get('/metrics', admin, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
