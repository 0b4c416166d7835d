import {
  describeError,
  openRun,
  reportRunResults,
  restGet,
  toHttpUrl,
} from '../../client/index.js';
import {
  parseWith,
  RestWorkersResponse,
  type RunMeta,
  type RunView,
} from '../../protocol/index.js';
import type { CoordinatorAccess } from '../connection.js';
import { printStatus } from '../output.js';
import { resultsOfReport, type WorkerPlatform, workerPlatform } from '../report/run-results.js';
import type { SuiteReport } from '../report/suite-report.js';

/**
 * A run in the coordinator's results store, kept by `dtf run`. Storing is never what fails a
 * run: a coordinator that cannot keep it is told of on stderr, and the run goes on.
 */
export class StoredRun {
  private constructor(
    private readonly baseHttpUrl: string,
    private readonly access: CoordinatorAccess,
    readonly run: RunView,
  ) {}

  /** Opens run `id` of `suite` at `url` (the leader); undefined, said why, when it cannot. */
  static async open(
    url: string,
    access: CoordinatorAccess,
    id: string,
    suite: string,
    meta: RunMeta,
  ): Promise<StoredRun | undefined> {
    const base = toHttpUrl(url);
    try {
      return new StoredRun(base, access, await openRun(base, access.token, { id, suite, meta }));
    } catch (error) {
      printStatus(`the results of this run will not be kept: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Records the report's results and ends the run; the stored run, or undefined on failure. */
  async finish(report: SuiteReport, timedOut: boolean): Promise<RunView | undefined> {
    try {
      const results = resultsOfReport(report, await this.platforms());
      const status = timedOut ? 'timed_out' : report.passed ? 'passed' : 'failed';
      return await reportRunResults(
        this.baseHttpUrl,
        this.access.token,
        this.run.id,
        results,
        status,
      );
    } catch (error) {
      printStatus(`could not store the results of run ${this.run.id}: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Each worker's browser (or `node`) and version, by worker id. */
  private async platforms(): Promise<Map<string, WorkerPlatform>> {
    const body = await restGet(this.baseHttpUrl, '/api/workers', this.access.token);
    const parsed = parseWith(RestWorkersResponse, body, 'GET /api/workers reply');
    if (!parsed.ok) throw new Error(parsed.error.message);
    return new Map(parsed.message.workers.map((w) => [w.id, workerPlatform(w.capabilities)]));
  }
}
