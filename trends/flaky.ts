import type { StoredResult } from '../protocol/index.js';

/** A test that both passed and failed on one commit where it ran: its outcome is not its code's. */
export interface FlakyTest {
  test: string;
  browser?: string | undefined;
  backend?: string | undefined;
  /** The commits it both passed and failed on. */
  commits: string[];
  /** Changes of outcome from one run to the next over the runs seen, as a fraction of them. */
  flipRate: number;
  runs: number;
  failures: number;
  /** The latest of its failures. */
  lastFailure?: { runId: string; at: number; error?: string | undefined } | undefined;
}

const passedOrFailed = (r: StoredResult) =>
  r.status === 'passed' || r.status === 'failed' || r.status === 'error';

/**
 * Flaky tests in stored results (any order): those that passed and failed on the same commit
 * with the same inputs (the same test, browser and backend). Results without a commit cannot
 * show it and are left out. The flakiest first.
 */
export function flakyTests(results: readonly StoredResult[]): FlakyTest[] {
  const byPlace = new Map<string, StoredResult[]>();
  for (const result of results) {
    if (!passedOrFailed(result) || result.commit === undefined) continue;
    const key = [result.test, result.browser ?? '', result.backend ?? ''].join('\u0000');
    const list = byPlace.get(key);
    if (list === undefined) byPlace.set(key, [result]);
    else list.push(result);
  }
  const flaky: FlakyTest[] = [];
  for (const list of byPlace.values()) {
    list.sort((a, b) => a.at - b.at);
    const outcomes = new Map<string, Set<boolean>>();
    for (const r of list) {
      const seen = outcomes.get(r.commit!) ?? new Set<boolean>();
      seen.add(r.status === 'passed');
      outcomes.set(r.commit!, seen);
    }
    const commits = [...outcomes].filter(([, seen]) => seen.size === 2).map(([commit]) => commit);
    if (commits.length === 0) continue;
    let flips = 0;
    for (let i = 1; i < list.length; i++) {
      if ((list[i]!.status === 'passed') !== (list[i - 1]!.status === 'passed')) flips++;
    }
    const failures = list.filter((r) => r.status !== 'passed');
    const last = failures.at(-1);
    const { test, browser, backend } = list[0]!;
    flaky.push({
      test,
      browser,
      backend,
      commits,
      flipRate: list.length < 2 ? 0 : flips / (list.length - 1),
      runs: list.length,
      failures: failures.length,
      lastFailure:
        last === undefined ? undefined : { runId: last.runId, at: last.at, error: last.error },
    });
  }
  return flaky.sort((a, b) => b.flipRate - a.flipRate || a.test.localeCompare(b.test));
}
