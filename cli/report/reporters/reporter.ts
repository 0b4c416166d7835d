import type { ResultInput, RunView, StoredResult } from '../../../protocol/index.js';
import type { SuiteReport } from '../suite-report.js';

/** Where a reporter puts its files, and how. */
export interface ReporterContext {
  /** The `--out` directory, created. */
  outDir: string;
  /** `<out>/<suite><suffix>` with the suite's name made safe for a file name. */
  fileFor(suffix: string): string;
  /** This run's test-level results, as the results store keeps them. */
  results: readonly ResultInput[];
  /** The run in the results store, when it keeps it. */
  run?: RunView | undefined;
  /**
   * The suite's run before this one, when the results store has one: asked of the coordinator
   * only when a reporter wants it (the whole run's results), and once.
   */
  previous(): Promise<{ run: RunView; results: readonly StoredResult[] } | undefined>;
  /**
   * The suite's stored results (up to 10,000, the newest runs first; not this run's, which are
   * recorded after the reporters), for trends; undefined when the store keeps no runs. Asked
   * only when a reporter wants it, and once.
   */
  history(): Promise<readonly StoredResult[] | undefined>;
}

/**
 * Presents a run once it has ended: in the terminal, or as files people and CI tools read.
 * A module of the user's own given to `--reporter` default-exports one of these, or a function
 * that returns one.
 */
export interface Reporter {
  readonly name: string;
  /** Returns the files it wrote, if any. */
  onRunEnd(
    report: SuiteReport,
    context: ReporterContext,
  ): Promise<readonly string[] | undefined> | readonly string[] | undefined;
}
