import type autocannon from 'autocannon';
import { toWebSocketUrl } from '../client/index.js';
import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, skippedFigure } from './figure.js';
import { measureFigure } from './measure.js';
import { runConcurrently } from './support/concurrency.js';
import { withCoordinatorProcess } from './support/coordinator-process.js';
import { withDtfCluster } from './support/dtf-cluster.js';
import {
  base64,
  ETCD_INSTALL_HINT,
  etcdForBaseline,
  withEtcdCluster,
} from './support/etcd-cluster.js';
import { fillQueue } from './support/fill-queue.js';
import { countAnswers, type HttpLoad } from './support/http-load.js';

/** Stored items the readers cycle through: tasks on DTF, keys on etcd. */
const ITEMS = 1_000;
/** Connections in all, split evenly over the members (30 divides by 1, 3 and 5). */
const CONNECTIONS = 30;
const SECONDS = { quick: 1, full: 5 };
const OK = 200;

interface ReadTarget {
  /** Each member's `http://127.0.0.1:port`. */
  urls: readonly string[];
  /** The members' names, for the progress line. */
  names: readonly string[];
  requests: autocannon.Request[];
}

/** Answers by status, for people: `200×51,234, 307×40,001`. */
function describeStatuses(statuses: ReadonlyMap<number, number>, errors: number): string {
  const parts = [...statuses].map(
    ([status, count]) => `${status}×${count.toLocaleString('en-US')}`,
  );
  if (errors > 0) parts.push(`${errors.toLocaleString('en-US')} errors`);
  return parts.length === 0 ? 'no answers' : parts.join(', ');
}

/**
 * Reads answered 200 per second, with the same load on every member of `target` at once; any
 * other answer (a follower's redirect to the leader, say) is counted and reported, not followed.
 */
function measureSpreadReads(
  options: BenchOptions,
  target: ReadTarget,
  name: string,
  baselines: readonly Figure[],
): Promise<Figure> {
  const load: HttpLoad = {
    connections: CONNECTIONS / target.urls.length,
    seconds: options.quick ? SECONDS.quick : SECONDS.full,
  };
  return measureFigure(options, { name, unit: 'reads/s', baselines }, async () => {
    const answers = await Promise.all(
      target.urls.map((url) => countAnswers(url, target.requests, load)),
    );
    options.progress(
      answers
        .map((a, i) => `${target.names[i]}: ${describeStatuses(a.statuses, a.errors)}`)
        .join('; '),
    );
    const ok = answers.reduce((sum, a) => sum + (a.statuses.get(OK) ?? 0), 0);
    return ok / Math.max(...answers.map((a) => a.seconds));
  });
}

/** `GET /api/tasks/:id` of each of `ids`, as the admin. */
function taskReads(ids: readonly string[], adminKey: string): autocannon.Request[] {
  const headers = { authorization: `Bearer ${adminKey}` };
  return ids.map((id) => ({
    method: 'GET',
    path: `/api/tasks/${encodeURIComponent(id)}`,
    headers,
  }));
}

async function etcdReads(options: BenchOptions, version: string): Promise<Figure> {
  return withEtcdCluster(version, 3, async (cluster) => {
    const keys = Array.from({ length: ITEMS }, (_, i) => base64(`read/${i}`));
    const leader = cluster.urls[await cluster.leader()]!;
    await runConcurrently(ITEMS, 16, async (i) => {
      const res = await fetch(`${leader}/v3/kv/put`, {
        method: 'POST',
        body: JSON.stringify({ key: keys[i], value: base64('x'.repeat(16)) }),
      });
      if (!res.ok) throw new Error(`etcd put: ${res.status} ${await res.text()}`);
    });
    // A range read is linearizable unless it asks for `serializable`.
    const requests = keys.map((key) => ({
      method: 'POST' as const,
      path: '/v3/kv/range',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    }));
    const names = cluster.urls.map((_, i) => `e${i + 1}`);
    return measureSpreadReads(
      options,
      { urls: cluster.urls, names, requests },
      `${version}: linearizable range reads, spread over 3 members, ${CONNECTIONS} connections`,
      [],
    );
  });
}

function dtfName(members: number): string {
  const over = members === 1 ? '1 coordinator (no cluster)' : `${members} coordinators`;
  return `raft: GET /api/tasks/:id spread over ${over}, ${CONNECTIONS} connections`;
}

/** The single coordinator: all there is to read from on one node. */
function dtfReadsAlone(options: BenchOptions, baselines: readonly Figure[]): Promise<Figure> {
  return withCoordinatorProcess([], async (coordinator) => {
    const ids = await fillQueue([coordinator.wsUrl], coordinator.adminKey, ITEMS);
    const target = {
      urls: [coordinator.url],
      names: ['c1'],
      requests: taskReads(ids, coordinator.adminKey),
    };
    return measureSpreadReads(options, target, dtfName(1), baselines);
  });
}

function dtfClusterReads(
  options: BenchOptions,
  members: number,
  baselines: readonly Figure[],
): Promise<Figure> {
  return withDtfCluster(members, [], async (cluster) => {
    const ids = await fillQueue(cluster.urls.map(toWebSocketUrl), cluster.adminKey, ITEMS);
    const leader = await cluster.leader();
    const names = cluster.urls.map((_, i) => `c${i + 1}${i === leader ? ' (leader)' : ''}`);
    const target = { urls: cluster.urls, names, requests: taskReads(ids, cluster.adminKey) };
    return measureSpreadReads(options, target, dtfName(members), baselines);
  });
}

/**
 * Reads of a stored item per second with the load spread evenly over every member, DTF on 1
 * (a single coordinator), 3 and 5 coordinators and etcd on 3 members, from autocannon in this
 * process (30 connections in all). Only 200 answers count: a member that sends the read to
 * the leader instead (DTF's followers answer 307 until they serve reads themselves) adds
 * nothing, and the progress lines show each member's answers by status.
 */
export const raftReadsBenchmark: Benchmark = {
  name: 'raft-reads',
  async run(options) {
    const version = await etcdForBaseline(options.progress);
    const etcd =
      version === undefined
        ? skippedFigure(
            'etcd: linearizable range reads',
            `etcd not installed (${ETCD_INSTALL_HINT})`,
          )
        : await etcdReads(options, version);
    const baselines = version === undefined ? [] : [etcd];
    const figures = [etcd, await dtfReadsAlone(options, baselines)];
    for (const members of [3, 5]) figures.push(await dtfClusterReads(options, members, baselines));
    return figures;
  },
};
