import type { Benchmark } from './benchmark.js';
import type { Figure } from './figure.js';

/** Measured runs per figure: the median of three, or a single run with `--quick`. */
const RUNS = { quick: 1, full: 3 };

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

/** Runs the benchmarks one after another, with progress lines on stderr. */
export async function runBenchmarks(
  benchmarks: readonly Benchmark[],
  quick: boolean,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const runs = quick ? RUNS.quick : RUNS.full;
  const started = performance.now();
  for (const benchmark of benchmarks) {
    const progress = (line: string) =>
      process.stderr.write(`[${seconds(started)}] ${benchmark.name}: ${line}\n`);
    progress(`starting (${runs} measured run${runs === 1 ? '' : 's'} per figure after a warm-up)`);
    figures.push(...(await benchmark.run({ quick, runs, progress })));
    progress('done');
  }
  return figures;
}
