import { PROTOCOL_VERSION, type RestStatusReply } from '../../../protocol/index.js';
import { countTasksByState, countWorkersByStatus } from '../../queries.js';
import { writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

export function health({ res }: RouteCall): void {
  writeJson(res, 200, { status: 'ok' });
}

export function databaseHealth({ res }: RouteCall, { db }: RouteDeps): void {
  const started = performance.now();
  db.prepare('SELECT 1').get();
  writeJson(res, 200, {
    status: 'ok',
    journalMode: db.pragma('journal_mode', { simple: true }),
    pageCount: db.pragma('page_count', { simple: true }),
    pageSize: db.pragma('page_size', { simple: true }),
    queryMs: performance.now() - started,
  });
}

export function resourceHealth({ res }: RouteCall, { loopDelay }: RouteDeps): void {
  const memory = process.memoryUsage();
  writeJson(res, 200, {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    eventLoopDelayMs: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
    },
    uptimeSeconds: process.uptime(),
  });
}

/** `GET /api/status`: this member's role (and Raft position), the task and worker counts. */
export function status({ res }: RouteCall, { ctx }: RouteDeps): void {
  const cluster = ctx.cluster?.status();
  const reply: RestStatusReply = {
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
  };
  writeJson(res, 200, reply);
}

export async function metrics({ res }: RouteCall, deps: RouteDeps): Promise<void> {
  const { registry } = deps.metrics;
  const text = await registry.metrics();
  res.writeHead(200, {
    'content-type': registry.contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
