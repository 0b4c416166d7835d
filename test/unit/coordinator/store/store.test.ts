import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import { createState } from '../../../../coordinator/state/index.js';
import { GroupCommit, loadState, openDatabase } from '../../../../coordinator/store/index.js';
import { MIGRATIONS } from '../../../../coordinator/store/schema.js';
import { DB_FILE } from '../../../../coordinator/store/sqlite-store.js';
import { MAX_RECONNECT_DELAY_MS } from '../../../../protocol/index.js';
import {
  commandSpec,
  disconnectCommand,
  nodeCapabilities,
  registerCommand,
} from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

const config = { heartbeatIntervalMs: 1000, heartbeatMisses: 3 };
afterEach(removeTempDirs);

function committer(dir: string) {
  const db = openDatabase(dir);
  const state = loadState(db, config, 10_000);
  const commit = new GroupCommit(db, state, {
    followUp: (s) => {
      const placements = schedule(s);
      return placements.length === 0 ? undefined : { type: 'AssignTasks', now: 1, placements };
    },
    onCommitted: () => {},
    onFatal: (error) => {
      throw error;
    },
  });
  return { db, state, commit };
}

describe('store', () => {
  it('commits commands arriving together in one batch and answers each in order', async () => {
    const db = openDatabase(tempDir());
    const batches: number[] = [];
    const answered: string[] = [];
    const c = new GroupCommit(db, createState(config), {
      followUp: () => undefined,
      onCommitted: (events) => batches.push(events.length),
      onFatal: (e) => {
        throw e;
      },
    });
    const waits = ['a', 'b', 'c'].map((id) =>
      c
        .submitAndWait({ type: 'SubmitTasks', now: 1, tasks: [{ id, spec: commandSpec() }] })
        .then(() => answered.push(id)),
    );
    await Promise.all(waits);
    expect(batches).toEqual([3]);
    expect(answered).toEqual(['a', 'b', 'c']);
    db.close();
  });

  it('rebuilds the same state after a restart, with leases held and workers disconnected', async () => {
    const dir = tempDir();
    const first = committer(dir);
    await first.commit.submitAndWait({
      type: 'RegisterWorker',
      now: 1,
      workerId: 'w',
      name: 'w',
      capabilities: nodeCapabilities(),
      labels: { pool: 'a' },
      slots: 2,
      inFlight: [],
    });
    await first.commit.submitAndWait({
      type: 'SubmitTasks',
      now: 2,
      tasks: ['t1', 't2', 't3'].map((id, i) => ({
        id,
        spec: commandSpec({ priority: i, group: 'g', idempotencyKey: id }),
      })),
    });
    const lease = first.state.tasks.get('t3')!;
    await first.commit.submitAndWait({
      type: 'RecordResults',
      now: 3,
      workerId: 'w',
      reports: [
        {
          taskId: 't3',
          attempt: lease.attempt,
          leaseToken: lease.leaseToken,
          result: { status: 'succeeded', durationMs: 1 },
        },
      ],
    });
    first.db.close();

    const second = committer(dir);
    const snapshot = (s: typeof first.state) =>
      [...s.tasks.values()].map((t) => ({ ...t, queueEpoch: 0, history: t.history }));
    expect(snapshot(second.state)).toEqual(snapshot(first.state));
    expect(second.state.workers.get('w')).toMatchObject({
      status: 'disconnected',
      awaitingReconnect: true,
      // Its longest reconnect delay on top of the heartbeat allowance, to come back.
      lastSeen: 10_000 + MAX_RECONNECT_DELAY_MS,
      labels: { pool: 'a' },
    });
    expect([...second.state.workers.get('w')!.running].sort()).toEqual(['t1', 't2']);
    expect(second.state.lastLeaseToken).toBe(first.state.lastLeaseToken);
    expect(second.state.nextSeq).toBe(4);
    expect(second.state.byIdempotencyKey.get('t2')).toBe('t2');
    expect(second.state.byGroup.get('g')).toHaveLength(3);
    second.db.close();
  });

  it('keeps a drained worker drained and a lost one dead across a restart', async () => {
    const dir = tempDir();
    const first = committer(dir);
    for (const workerId of ['drained', 'lost']) {
      await first.commit.submitAndWait(registerCommand(workerId));
    }
    await first.commit.submitAndWait({
      type: 'DrainWorker',
      now: 2,
      workerId: 'drained',
      by: 'worker',
    });
    await first.commit.submitAndWait(disconnectCommand('drained', 3));
    await first.commit.submitAndWait({
      type: 'ExpireWorker',
      now: 4,
      workerId: 'lost',
      reason: 'x',
    });
    first.db.close();

    const second = committer(dir);
    expect(second.state.workers.get('drained')).toMatchObject({
      status: 'drained',
      awaitingReconnect: false,
    });
    expect(second.state.workers.get('lost')).toMatchObject({ status: 'dead' });
    second.db.close();
  });

  it('keeps a retry waiting out its backoff and a child waiting for its parent across a restart', async () => {
    const dir = tempDir();
    const first = committer(dir);
    const parent = commandSpec({ retry: { delayMs: 60_000 } });
    const child = commandSpec({ dependsOn: ['parent'] });
    await first.commit.submitAndWait({
      type: 'SubmitTasks',
      now: 2,
      tasks: [
        { id: 'child', spec: child },
        { id: 'parent', spec: parent },
      ],
    });
    await first.commit.submitAndWait(registerCommand('w', { now: 3 }));
    expect(first.state.tasks.get('parent')!.state).toBe('assigned');
    await first.commit.submitAndWait({ type: 'ExpireWorker', now: 4, workerId: 'w', reason: 'x' });
    first.db.close();

    const second = committer(dir);
    expect(second.state.tasks.get('parent')).toMatchObject({
      state: 'queued',
      failures: 1,
      notBefore: 60_004,
      placeable: false,
    });
    expect(second.state.delayed.nextDue()).toBe(60_004);
    expect(second.state.tasks.get('child')).toMatchObject({ waitingOn: 1, placeable: false });
    expect(second.state.ready.size).toBe(0);
    second.db.close();
  });

  it('keeps the requirements a retarget gave a task, and those it was submitted with, across a restart', async () => {
    const dir = tempDir();
    const first = committer(dir);
    const pinned = (worker: string) =>
      commandSpec({
        idempotencyKey: worker,
        requirements: { workers: [worker] },
        retry: { delayMs: 600_000 },
      });
    await first.commit.submitAndWait(registerCommand('gone', { now: 2 }));
    await first.commit.submitAndWait({
      type: 'SubmitTasks',
      now: 2,
      tasks: [
        { id: 'queued', spec: pinned('gone') },
        { id: 'untouched', spec: pinned('gone-too') },
      ],
    });
    // Its attempt lost: queued again after a backoff of ten minutes, which the retarget ends.
    await first.commit.submitAndWait({
      type: 'ExpireWorker',
      now: 3,
      workerId: 'gone',
      reason: 'x',
    });
    expect(first.state.tasks.get('queued')!.notBefore).toBe(600_003);
    // Submitted and retargeted in one batch: a single insert of the final row.
    first.commit.submit({
      type: 'SubmitTasks',
      now: 3,
      tasks: [{ id: 'fresh', spec: pinned('x') }],
    });
    await first.commit.submitAndWait({
      type: 'RetargetTasks',
      now: 3,
      taskIds: ['queued', 'fresh'],
      requirements: { workers: ['w'] },
      revokeRunning: false,
    });
    first.db.close();

    const second = committer(dir);
    for (const [id, submitted] of [
      ['queued', 'gone'],
      ['fresh', 'x'],
    ] as const) {
      expect(second.state.tasks.get(id)!.notBefore).toBeUndefined();
      expect(second.state.tasks.get(id)).toMatchObject({
        state: 'queued',
        placeable: true,
        spec: { requirements: { workers: ['w'] } },
        submittedRequirements: { workers: [submitted] },
      });
    }
    expect(second.state.tasks.get('untouched')!.submittedRequirements).toBeUndefined();
    // Placed on the worker it was retargeted to once that registers.
    await second.commit.submitAndWait(registerCommand('w', { slots: 4 }));
    expect(second.state.tasks.get('queued')).toMatchObject({ state: 'assigned', workerId: 'w' });
    second.db.close();
  });

  it("keeps each worker's secret hash across a restart, and migrates a database from before", async () => {
    const dir = tempDir();
    // A database as the release before secrets left it, with a worker in it.
    const old = new Database(join(dir, DB_FILE));
    for (const migration of MIGRATIONS.slice(0, 3)) old.exec(migration);
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO workers (id, name, capabilities, labels, slots, status, registered_at)
         VALUES ('old', 'old', ?, '{}', 1, 'connected', 1)`,
      )
      .run(JSON.stringify(nodeCapabilities()));
    old.close();

    const first = committer(dir);
    expect(first.state.workers.get('old')!.secretSha256).toBeUndefined();
    const hash = 'cd'.repeat(32);
    await first.commit.submitAndWait({ ...registerCommand('w'), newSecretSha256: hash });
    first.db.close();

    const second = committer(dir);
    expect(second.state.workers.get('w')!.secretSha256).toBe(hash);
    expect(second.state.workers.get('old')).toMatchObject({ status: 'disconnected' });
    expect(second.state.workers.get('old')!.secretSha256).toBeUndefined();
    second.db.close();
  });

  it('keeps the results store across a restart, results written once each, pruned runs gone', async () => {
    const dir = tempDir();
    const first = committer(dir);
    const results = (...tests: string[]) =>
      tests.map((test) => ({ test, kind: 'vitest', status: 'passed' as const, durationMs: 1 }));
    for (const id of ['r1', 'r2']) {
      await first.commit.submitAndWait({
        type: 'OpenRun',
        now: 1,
        run: { id, suite: 's', meta: { commit: 'abc' } },
      });
    }
    // Two batches for r1: the second must not write the first's results again.
    await first.commit.submitAndWait({
      type: 'RecordRunResults',
      now: 2,
      runId: 'r1',
      results: results('a', 'b'),
    });
    await first.commit.submitAndWait({
      type: 'RecordRunResults',
      now: 3,
      runId: 'r1',
      results: results('c'),
      end: { status: 'passed' },
    });
    await first.commit.submitAndWait({
      type: 'RecordRunResults',
      now: 4,
      runId: 'r2',
      results: results('x'),
    });
    first.db.close();

    const second = committer(dir);
    expect(second.state.runs).toEqual(first.state.runs);
    expect(second.state.runs.get('r1')).toMatchObject({ status: 'passed', endedAt: 3 });
    expect(second.state.runs.get('r1')!.results.map((r) => r.test)).toEqual(['a', 'b', 'c']);
    expect(second.state.runs.get('r2')!.counts.results).toBe(1);
    await second.commit.submitAndWait({
      type: 'QuarantineTest',
      now: 5,
      entry: { test: 'a', reason: 'flips' },
    });
    await second.commit.submitAndWait({ type: 'QuarantineTest', now: 6, entry: { test: 'b' } });
    await second.commit.submitAndWait({ type: 'ReleaseTest', now: 7, entry: { test: 'b' } });
    await second.commit.submitAndWait({
      type: 'PruneRuns',
      now: 100 * 86_400_000,
      keepRuns: 5,
      keepDays: 1,
    });
    second.db.close();

    const third = committer(dir);
    expect(third.state.runs.size).toBe(0);
    expect([...third.state.quarantine.values()]).toEqual([
      { test: 'a', reason: 'flips', since: 5 },
    ]);
    expect(third.db.prepare('SELECT count(*) FROM run_results').pluck().get()).toBe(0);
    third.db.close();
  });
});
