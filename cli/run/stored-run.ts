import {
  describeError,
  openRun,
  reportRunResults,
  restGet,
  toHttpUrl,
} from '../../client/index.js';
import {
  parseWith,
  type QuarantineEntry,
  RestQuarantineReply,
  RestResultsReply,
  RestRunDetailReply,
  RestRunsReply,
  RestWorkersResponse,
  type ResultInput,
  type RunMeta,
  type RunStatus,
  type RunView,
  type StoredResult,
} from '../../protocol/index.js';
import type { CoordinatorAccess } from '../connection.js';
import { printStatus } from '../output.js';
import { type WorkerPlatform, workerPlatform } from '../report/run-results.js';

/** A GET of the coordinator's REST API, its reply checked against `schema`. */
export async function getChecked<T>(
  base: string,
  token: string | undefined,
  path: string,
  schema: Parameters<typeof parseWith<T>>[0],
): Promise<T> {
  const parsed = parseWith(schema, await restGet(base, path, token), `GET ${path} reply`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.message;
}

/** Each worker's browser (or `node`) and version, by worker id; none when they cannot be read. */
export async function workerPlatforms(
  url: string,
  token: string | undefined,
): Promise<Map<string, WorkerPlatform>> {
  try {
    const { workers } = await getChecked(
      toHttpUrl(url),
      token,
      '/api/workers',
      RestWorkersResponse,
    );
    return new Map(workers.map((w) => [w.id, workerPlatform(w.capabilities)]));
  } catch (error) {
    printStatus(`(workers' browsers unknown: ${describeError(error)})`);
    return new Map();
  }
}

/** The tests quarantined on the coordinator; none, said why, when they cannot be read. */
export async function quarantinedTests(
  url: string,
  token: string | undefined,
): Promise<QuarantineEntry[]> {
  try {
    return (await getChecked(toHttpUrl(url), token, '/api/quarantine', RestQuarantineReply))
      .quarantined;
  } catch (error) {
    printStatus(`(quarantined tests unknown, every failure counts: ${describeError(error)})`);
    return [];
  }
}

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

  /** The suite's latest run that ended before this one, with its results; undefined if none. */
  async previous(): Promise<{ run: RunView; results: StoredResult[] } | undefined> {
    const { token } = this.access;
    try {
      const suite = encodeURIComponent(this.run.suite);
      const { runs } = await getChecked(
        this.baseHttpUrl,
        token,
        `/api/runs?suite=${suite}&limit=20`,
        RestRunsReply,
      );
      const before = runs.find((r) => r.id !== this.run.id && r.status !== 'running');
      if (before === undefined) return undefined;
      const path = `/api/runs/${encodeURIComponent(before.id)}`;
      const { results } = await getChecked(this.baseHttpUrl, token, path, RestRunDetailReply);
      return { run: before, results };
    } catch (error) {
      printStatus(`(no comparison with the previous run: ${describeError(error)})`);
      return undefined;
    }
  }

  /** The suite's stored results, the newest runs first (up to 10,000); undefined on failure. */
  async history(): Promise<StoredResult[] | undefined> {
    try {
      const suite = encodeURIComponent(this.run.suite);
      const path = `/api/results?suite=${suite}&limit=10000`;
      const { results } = await getChecked(
        this.baseHttpUrl,
        this.access.token,
        path,
        RestResultsReply,
      );
      return results;
    } catch (error) {
      printStatus(`(no trends: ${describeError(error)})`);
      return undefined;
    }
  }

  /** Records the results and ends the run; the stored run, or undefined on failure. */
  async finish(
    results: readonly ResultInput[],
    status: Exclude<RunStatus, 'running'>,
  ): Promise<RunView | undefined> {
    try {
      const { token } = this.access;
      return await reportRunResults(this.baseHttpUrl, token, this.run.id, results, status);
    } catch (error) {
      printStatus(`could not store the results of run ${this.run.id}: ${describeError(error)}`);
      return undefined;
    }
  }
}
