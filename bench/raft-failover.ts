import type { Benchmark, BenchOptions } from './benchmark.js';
import { type Figure, figure, skippedFigure } from './figure.js';
import { withDtfCluster } from './support/dtf-cluster.js';
import { ETCD_INSTALL_HINT, etcdForBaseline, withEtcdCluster } from './support/etcd-cluster.js';
import { measureFailovers } from './support/failover-run.js';
import { percentile } from './support/percentile.js';
import type { ReplicatedCluster } from './support/replicated-cluster.js';

const KILLS = { quick: 3, full: 20 };
const MEMBERS = 3;

/**
 * The p50 and p99 figures of one series of kills; every kill is a sample of both (a series is
 * the measurement: it is not repeated and takes no warm-up).
 */
async function failoverFigures(
  options: BenchOptions,
  cluster: ReplicatedCluster,
  name: string,
  baselines: readonly Figure[],
): Promise<Figure[]> {
  const kills = options.quick ? KILLS.quick : KILLS.full;
  options.progress(`${name}: ${kills} leader kills…`);
  const times = await measureFailovers(cluster, kills, options.progress);
  const series = `${name}, ${kills} kills`;
  return [50, 99].map((p, i) => {
    const measured = figure(
      `${series}, p${p}`,
      'ms',
      { value: percentile(times, p), samples: times },
      baselines.slice(i, i + 1),
    );
    options.progress(`${measured.name}: ${measured.value.toFixed(0)} ms`);
    return measured;
  });
}

/**
 * Failover on three members on loopback: `kill -9` of the leader, and the time until the first
 * write acknowledged by the new leader, with writes sent to every survivor every 10 ms
 * (`support/failover-run.ts`); then the killed member comes back on its data dir and catches
 * up before the next kill. DTF with its default Raft timing (50 ms ticks, an election timeout of
 * 10 to 20 ticks) and etcd with the same timing, the same kills and the same probes.
 */
export const raftFailoverBenchmark: Benchmark = {
  name: 'raft-failover',
  async run(options) {
    const version = await etcdForBaseline(options.progress);
    const etcdName = `${version ?? 'etcd'}: failover, kill -9 of the leader to the first acknowledged put`;
    const etcd =
      version === undefined
        ? [50, 99].map((p) =>
            skippedFigure(`${etcdName}, p${p}`, `etcd not installed (${ETCD_INSTALL_HINT})`),
          )
        : await withEtcdCluster(version, MEMBERS, (cluster) =>
            failoverFigures(options, cluster, etcdName, []),
          );
    const dtf = await withDtfCluster(MEMBERS, [], (cluster) =>
      failoverFigures(
        options,
        cluster,
        'raft: failover, kill -9 of the leader to the first acknowledged submit',
        version === undefined ? [] : etcd,
      ),
    );
    return [...etcd, ...dtf];
  },
};
