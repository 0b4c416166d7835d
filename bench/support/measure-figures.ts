import type { BenchOptions } from '../benchmark.js';
import type { Figure } from '../figure.js';
import { type FigureSpec, measureFigure } from '../measure.js';

/** A figure of a set; a baseline given by name is an earlier figure of the same set. */
export interface SetFigureSpec extends Omit<FigureSpec, 'baselines'> {
  baselines?: ReadonlyArray<Figure | string>;
}

/**
 * Measures several figures from the same runs, for runs that yield more than one number
 * (a latency distribution's percentiles, say): `once` does one complete run and returns one
 * value per spec, in the order of `specs`. Each figure is the median of its own values, with
 * the same discarded warm-up run as `measureFigure`.
 */
export async function measureFigures(
  options: BenchOptions,
  specs: readonly SetFigureSpec[],
  once: () => Promise<readonly number[]>,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const resolve = (spec: SetFigureSpec): FigureSpec => ({
    ...spec,
    baselines: (spec.baselines ?? []).map((baseline) => {
      if (typeof baseline !== 'string') return baseline;
      const found = figures.find((f) => f.name === baseline);
      if (found === undefined) throw new Error(`no earlier figure '${baseline}' in the set`);
      return found;
    }),
  });
  const [first, ...rest] = specs;
  if (first === undefined) return [];
  // `measureFigure` calls `once` for the warm-up and then for each run, so the values of run
  // `i` (the warm-up first) are `runs[i]`; the later figures replay them in the same order.
  const runs: Array<readonly number[]> = [];
  figures.push(
    await measureFigure(options, resolve(first), async () => {
      const values = await once();
      if (values.length !== specs.length) {
        throw new Error(`a run gave ${values.length} values for ${specs.length} figures`);
      }
      runs.push(values);
      return values[0]!;
    }),
  );
  for (const [index, spec] of rest.entries()) {
    let run = 0;
    figures.push(await measureFigure(options, resolve(spec), async () => runs[run++]![index + 1]!));
  }
  return figures;
}
