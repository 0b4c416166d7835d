import type { BenchOptions } from './benchmark.js';
import { type Figure, figure } from './figure.js';
import { formatValue } from './format.js';

export interface FigureSpec {
  name: string;
  unit: string;
  /** Figures from the same run to compare this one with. */
  baselines?: readonly Figure[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures one figure: `once` runs for a discarded warm-up, then `options.runs` times, and
 * the figure's value is the median. Reports progress before and after.
 */
export async function measureFigure(
  options: BenchOptions,
  spec: FigureSpec,
  once: () => Promise<number>,
): Promise<Figure> {
  options.progress(`${spec.name}…`);
  await once();
  const samples: number[] = [];
  for (let run = 0; run < options.runs; run++) samples.push(await once());
  const measured = figure(
    spec.name,
    spec.unit,
    { value: median(samples), samples },
    spec.baselines,
  );
  options.progress(`${spec.name}: ${formatValue(measured.value)} ${spec.unit}`);
  return measured;
}
