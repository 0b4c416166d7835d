import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunView, StoredResult } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  kill9,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { writeSuiteFile } from '../support/suite-file.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const access = (c: CoordinatorProcess) => ['--coordinator', c.url, '--token', c.adminKey];

async function dtfJson<T>(c: CoordinatorProcess, ...args: string[]): Promise<T> {
  const run = spawnDtf([...args, '--json', ...access(c)]);
  expect(await run.exitWithin(30_000, args.join(' '))).toBe(0);
  return JSON.parse(run.output()) as T;
}

/** A suite with a model cell on Node, a passing and a failing command. */
function suiteFile(dir: string): string {
  return writeSuiteFile(dir, {
    name: 'kept',
    matrix: { models: ['mlp'], targets: [{ worker: 'node', executionProviders: ['cpu'] }] },
    tasks: [
      { name: 'good', kind: 'command', payload: { command: 'true' } },
      { name: 'bad', kind: 'command', payload: { command: 'echo boom >&2; exit 3', shell: true } },
    ],
  });
}

describe('the results store', () => {
  it('keeps each run of dtf run with its results and metadata, across a coordinator restart and by its retention', async () => {
    const dataDir = tempDir();
    let coordinator = await startCoordinatorProcess(dataDir, { extraArgs: ['--retain-runs', '2'] });
    await startWorkerProcess(coordinator);
    const dir = tempDir();
    const suite = suiteFile(dir);
    const ci = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_REF_NAME: 'main',
      GITHUB_RUN_ID: '77',
    };
    for (const team of ['ml', 'web', 'infra']) {
      const run = spawnDtf(
        ['run', suite, '--out', dir, '--meta', `team=${team}`, ...access(coordinator)],
        ci,
      );
      expect(await run.exitWithin(120_000, 'dtf run')).toBe(1);
      expect(run.output()).toMatch(
        /results kept as run \S+ \(3 results\): dtf runs, dtf results --run /,
      );
    }
    coordinator.child.kill('SIGTERM');
    await coordinator.exitWithin(30_000, 'the coordinator');
    coordinator = await startCoordinatorProcess(dataDir, { extraArgs: ['--retain-runs', '2'] });

    const runs = await dtfJson<RunView[]>(coordinator, 'runs');
    // Two runs of the suite kept, the newest first: the first was pruned when the third ended.
    expect(runs.map((r) => r.meta.team)).toEqual(['infra', 'web']);
    expect(runs[0]).toMatchObject({
      suite: 'kept',
      status: 'failed',
      meta: { commit: 'f'.repeat(40), branch: 'main', build: '77' },
      counts: { results: 3, passed: 2, failed: 1 },
    });
    const results = await dtfJson<StoredResult[]>(coordinator, 'results', '--run', runs[0]!.id);
    expect(results.map((r) => `${r.test} ${r.status}`).sort()).toEqual([
      'bad failed',
      'good passed',
      'model mlp passed',
    ]);
    const cell = results.find((r) => r.test === 'model mlp')!;
    expect(cell).toMatchObject({
      kind: 'model',
      browser: 'node',
      backend: 'cpu',
      commit: 'f'.repeat(40),
    });
    expect(cell.browserVersion).toBe(process.versions.node);
    expect(cell.metrics).toMatchObject({
      medianMs: expect.any(Number),
      p90Ms: expect.any(Number),
      maxAbsError: expect.any(Number),
      toleranceAbs: expect.any(Number),
    });
    expect(results.find((r) => r.test === 'bad')!.error).toMatch(/exited with code 3/);

    const failures = spawnDtf([
      'results',
      '--test',
      'bad',
      '--status',
      'failed',
      ...access(coordinator),
    ]);
    expect(await failures.exitWithin(30_000, 'dtf results')).toBe(0);
    expect(failures.output()).toMatch(/RUN\s+AT \(UTC\)\s+TEST\s+BROWSER/);
    expect(failures.output().match(/ bad /g)).toHaveLength(2);
  });

  it("dtf run --data-dir keeps its runs; one killed mid-run is ended as interrupted, its tasks cancelled; the dir is one coordinator's", async () => {
    const dataDir = tempDir();
    const dir = tempDir();
    const slow = writeSuiteFile(dir, {
      name: 'slow',
      tasks: [{ name: 'sleepy', kind: 'command', payload: { command: 'sleep 600' } }],
    });
    const killed = spawnDtf(['run', slow, '--out', dir, '--data-dir', dataDir]);
    await killed.waitFor(/0\/1 done · 1 running/);
    await kill9(killed);
    const quick = writeSuiteFile(dir, {
      name: 'quick',
      tasks: [{ name: 'ok', kind: 'command', payload: { command: 'true' } }],
    });
    for (const round of [1, 2]) {
      const run = spawnDtf(['run', quick, '--out', dir, '--data-dir', dataDir]);
      expect(await run.exitWithin(120_000, `dtf run ${round}`)).toBe(0);
      const note =
        /1 earlier run\(s\) left unfinished in .*: ended as interrupted, their tasks cancelled/;
      if (round === 1) expect(run.output()).toMatch(note);
      else expect(run.output()).not.toMatch(note);
    }
    const coordinator = await startCoordinatorProcess(dataDir);
    const runs = await dtfJson<RunView[]>(coordinator, 'runs');
    expect(runs.map((r) => `${r.suite} ${r.status}`)).toEqual([
      'quick passed',
      'quick passed',
      'slow interrupted',
    ]);
    const tasks = await dtfJson<Array<{ name: string; state: string }>>(coordinator, 'tasks');
    expect(tasks.find((t) => t.name === 'sleepy')!.state).toBe('cancelled');
    const refused = spawnDtf(['run', quick, '--out', dir, '--data-dir', dataDir]);
    expect(await refused.exitWithin(60_000, 'dtf run on a dir in use')).toBe(1);
    expect(refused.output()).toMatch(/the data dir .* is in use by another coordinator/);
  });

  it('finds a test that fails one run in two on one commit; quarantined, it still runs and is reported but fails no run', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(coordinator);
    const dir = tempDir();
    const failFlag = join(dir, 'fail-now');
    const suite = writeSuiteFile(dir, {
      name: 'coin',
      tasks: [
        {
          name: 'coin',
          kind: 'command',
          payload: { command: `test ! -f ${failFlag}`, shell: true },
        },
        { name: 'steady', kind: 'command', payload: { command: 'true' } },
      ],
    });
    const run = async (fails: boolean) => {
      if (fails) writeFileSync(failFlag, '');
      else rmSync(failFlag, { force: true });
      const args = ['run', suite, '--out', dir, '--meta', 'commit=abc1234'];
      const spawned = spawnDtf([...args, ...access(coordinator)]);
      const code = await spawned.exitWithin(120_000, 'dtf run');
      return { code, output: spawned.output() };
    };
    const dtf = async (...args: string[]) => {
      const spawned = spawnDtf([...args, ...access(coordinator)]);
      expect(await spawned.exitWithin(30_000, args.join(' ')), spawned.output()).toBe(0);
      return spawned.output();
    };
    for (const fails of [false, true, false, true])
      expect((await run(fails)).code).toBe(fails ? 1 : 0);
    expect(await dtf('flaky', 'list')).toMatch(/^coin\s+node\s+100%\s+2\/4\s+abc1234\s+no\s/m);
    expect(await dtf('flaky', 'quarantine', 'coin', '--reason', 'fails one run in two')).toContain(
      "quarantined 'coin' (everywhere): its failures fail no run until dtf flaky release",
    );
    const quarantined = await run(true);
    expect(quarantined.code).toBe(0);
    expect(quarantined.output).toMatch(/^coin\s+command\s+failed \(quarantined\)\s/m);
    expect(quarantined.output).toMatch(
      /PASS {2}coin: 1\/2 tasks passed, .*; 1 failure\(s\) of quarantined tests not counted/,
    );
    const junit = readFileSync(join(dir, 'coin.junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<property name="quarantined" value="true"\/>\n {6}<\/properties>\n {6}<failure /,
    );
    const listed = await dtf('flaky', 'list', '--json');
    expect(JSON.parse(listed)).toMatchObject({
      flaky: [{ test: 'coin', runs: 5, failures: 3 }],
      quarantined: [{ test: 'coin', reason: 'fails one run in two' }],
    });
    expect(await dtf('flaky', 'release', 'coin')).toContain("released 'coin'");
    expect((await run(true)).code).toBe(1);
  });

  it('names what is wrong with a bad --meta or a bad filter, exit 2, before asking anyone', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', 'suite.json', '--meta', 'team'], /--meta 'team' must look like key=value/],
      [['run', 'suite.json', '--meta', '9lives=x'], /--meta '9lives=x': .*a key is a letter/],
      [['results', '--since', 'yesterday'], /since: must be an ISO 8601 date or date-time/],
      [['runs', '--limit', 'lots'], /limit: must be a whole number/],
      [['results', '--status', 'green'], /status: Invalid option/],
    ];
    for (const [args, message] of cases) {
      const run = spawnDtf([...args, '--coordinator', 'http://127.0.0.1:9']);
      expect(await run.exitWithin(30_000, args.join(' '))).toBe(2);
      expect(run.output()).toMatch(message);
    }
  });
});
