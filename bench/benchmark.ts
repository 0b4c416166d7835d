import type { Figure } from './figure.js';

export interface BenchOptions {
  /** Smaller workloads and one measured run per figure, for a quick check (see bench/README.md). */
  quick: boolean;
  /** Measured runs per figure, each after one discarded warm-up run (see `measureFigure`). */
  runs: number;
  /** Reports what the benchmark is doing now (a line on stderr). */
  progress(line: string): void;
}

/** One benchmark: measures its figures and their baselines, and cleans up after itself. */
export interface Benchmark {
  name: string;
  run(options: BenchOptions): Promise<Figure[]>;
}
