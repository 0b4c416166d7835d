import type { Benchmark, BenchOptions } from './benchmark.js';
import type { Figure } from './figure.js';
import { measureFigures } from './support/measure-figures.js';
import {
  idealSeconds,
  measureDirectSleeps,
  measureSleepTasks,
  type SleepWorkload,
} from './support/parallel-run.js';

const SLOTS = 8;
const WORKLOADS = {
  quick: { tasks: 16, sleepSeconds: 0.5, slots: SLOTS },
  full: { tasks: 64, sleepSeconds: 1, slots: SLOTS },
} satisfies Record<string, SleepWorkload>;

/** Wall time and efficiency (ideal / measured, in %) of each run of `measure`. */
function wallAndEfficiency(
  workload: SleepWorkload,
  measure: (workload: SleepWorkload) => Promise<number>,
): () => Promise<number[]> {
  return async () => {
    const seconds = await measure(workload);
    return [seconds, (idealSeconds(workload) / seconds) * 100];
  };
}

/**
 * Parallel efficiency: `sleep` tasks on one real Node worker with 8 slots, from submit until
 * the client has seen every task succeed, against the ideal (every slot busy all the time),
 * next to the same sleeps spawned straight from this process 8 at a time, in the same run.
 */
export const parallelEfficiencyBenchmark: Benchmark = {
  name: 'parallel-efficiency',
  async run(options: BenchOptions) {
    const workload = options.quick ? WORKLOADS.quick : WORKLOADS.full;
    const what = `${workload.tasks} × sleep ${workload.sleepSeconds} s`;
    const [directWall, directEfficiency] = await measureFigures(
      options,
      [
        { name: `${what}, spawned directly ${SLOTS} at a time, wall time`, unit: 's' },
        { name: `${what}, spawned directly ${SLOTS} at a time, efficiency`, unit: '%' },
      ],
      wallAndEfficiency(workload, measureDirectSleeps),
    );
    const dtf = await measureFigures(
      options,
      [
        {
          name: `${what} on a Node worker with ${SLOTS} slots, wall time`,
          unit: 's',
          baselines: [directWall!],
        },
        {
          name: `${what} on a Node worker with ${SLOTS} slots, efficiency (ideal ${idealSeconds(workload)} s)`,
          unit: '%',
          baselines: [directEfficiency!],
        },
      ],
      wallAndEfficiency(workload, measureSleepTasks),
    );
    return [directWall!, directEfficiency!, ...dtf] satisfies Figure[];
  },
};
