import type { Benchmark } from './benchmark.js';
import { browserBenchmark } from './browser.js';
import { bullmqBenchmark } from './bullmq.js';
import { dispatchBenchmark } from './dispatch.js';
import { footprintBenchmark } from './footprint.js';
import { latencyBenchmark } from './latency.js';
import { overloadBenchmark } from './overload.js';
import { parallelEfficiencyBenchmark } from './parallel-efficiency.js';
import { raftFailoverBenchmark } from './raft-failover.js';
import { raftReadsBenchmark } from './raft-reads.js';
import { raftWritesBenchmark } from './raft-writes.js';
import { readsBenchmark } from './reads.js';
import { scaleBenchmark } from './scale.js';
import { shardingBenchmark } from './sharding.js';
import { testSuitesBenchmark } from './test-suites.js';

/** Every benchmark `npm run bench` runs, in order. */
export const BENCHMARKS: readonly Benchmark[] = [
  dispatchBenchmark,
  latencyBenchmark,
  overloadBenchmark,
  parallelEfficiencyBenchmark,
  testSuitesBenchmark,
  readsBenchmark,
  footprintBenchmark,
  scaleBenchmark,
  bullmqBenchmark,
  raftWritesBenchmark,
  raftReadsBenchmark,
  raftFailoverBenchmark,
  browserBenchmark,
  shardingBenchmark,
];
