/** A rate or time measured over several runs. */
export interface Measurement {
  /** The median of `samples`. */
  value: number;
  /** One value per measured run, in run order. */
  samples: number[];
}

/** How one figure compares with a baseline measured in the same run. */
export interface Comparison {
  /** The `name` of the baseline figure. */
  baseline: string;
  /** This figure's value divided by the baseline's. */
  ratio: number;
}

/** One measured number, with the baselines it should be read against. */
export interface Figure extends Measurement {
  name: string;
  unit: string;
  comparisons: Comparison[];
}

/** A figure read against `baselines` (none for a baseline itself). */
export function figure(
  name: string,
  unit: string,
  measurement: Measurement,
  baselines: readonly Figure[] = [],
): Figure {
  const comparisons = baselines.map((b) => ({
    baseline: b.name,
    ratio: measurement.value / b.value,
  }));
  return { name, value: measurement.value, unit, samples: measurement.samples, comparisons };
}

/** A figure that could not be measured: no value, the reason in its unit. */
export function skippedFigure(name: string, why: string): Figure {
  return figure(name, `skipped: ${why}`, { value: Number.NaN, samples: [] });
}
