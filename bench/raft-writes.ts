import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, skippedFigure } from './figure.js';
import { measureFigure } from './measure.js';
import { withDtfCluster } from './support/dtf-cluster.js';
import { ETCD_INSTALL_HINT, etcdForBaseline, withEtcdCluster } from './support/etcd-cluster.js';
import { measureWriteRate } from './support/keep-alive-requests.js';
import type { ReplicatedCluster } from './support/replicated-cluster.js';

const WRITES = { quick: 1_000, full: 10_000 };
const CLIENTS = 32;
const MEMBERS = 3;

/**
 * Writes per second to the cluster's leader, the median of `options.runs` runs after a
 * warm-up on the same cluster (the JIT of every member warmed up, as in service).
 */
function measureWrites(
  options: BenchOptions,
  cluster: ReplicatedCluster,
  name: string,
  baselines: readonly Figure[],
): Promise<Figure> {
  const writes = options.quick ? WRITES.quick : WRITES.full;
  return measureFigure(options, { name, unit: 'writes/s', baselines }, async () => {
    const leader = cluster.urls[await cluster.leader()]!;
    return measureWriteRate(leader, cluster.write, writes, CLIENTS);
  });
}

/**
 * Committed writes per second on three members on loopback: DTF's one-task submits over REST
 * (`POST /api/tasks/submit`, answered 201 once the entry is committed by a quorum and applied),
 * and etcd's puts of a fresh small key through its v3 JSON gateway (`POST /v3/kv/put`, answered
 * once committed and applied), from the same load generator: autocannon in this process, 32
 * keep-alive connections with one request outstanding each, all to the leader (DTF's followers
 * redirect there; an etcd client pinned to the leader skips the forwarding hop). HTTP/JSON on
 * both sides, so neither gets a cheaper client protocol than the other. etcd fsyncs its WAL
 * before it answers; DTF's SQLite (WAL, synchronous=NORMAL) does not.
 */
export const raftWritesBenchmark: Benchmark = {
  name: 'raft-writes',
  async run(options) {
    const shape = `${MEMBERS} members, ${CLIENTS} clients`;
    const version = await etcdForBaseline(options.progress);
    const etcdName = `${version ?? 'etcd'}: committed puts of a small key, ${shape}`;
    const etcd =
      version === undefined
        ? skippedFigure(etcdName, `etcd not installed (${ETCD_INSTALL_HINT})`)
        : await withEtcdCluster(version, MEMBERS, (cluster) =>
            measureWrites(options, cluster, etcdName, []),
          );
    const dtf = await withDtfCluster(MEMBERS, [], (cluster) =>
      measureWrites(
        options,
        cluster,
        `raft: committed one-task submits, ${shape}`,
        version === undefined ? [] : [etcd],
      ),
    );
    return [etcd, dtf];
  },
};
