import type { Benchmark } from './benchmark.js';
import { dispatchBenchmark } from './dispatch.js';

/** Every benchmark `npm run bench` runs, in order. */
export const BENCHMARKS: readonly Benchmark[] = [dispatchBenchmark];
