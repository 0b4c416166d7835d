import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { AppliedIndex } from '../../../../coordinator/cluster/applied-index.js';
import {
  restoreAppliedState,
  writeAppliedState,
} from '../../../../coordinator/cluster/applied-state.js';
import {
  decodeStateSnapshot,
  encodeStateSnapshot,
  StateSnapshotError,
} from '../../../../coordinator/cluster/state-snapshot.js';
import { SqliteStorage } from '../../../../coordinator/raft-io/index.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import {
  apply,
  type Command,
  type CoordinatorState,
  type StateEvent,
} from '../../../../coordinator/state/index.js';
import { openDatabase } from '../../../../coordinator/store/index.js';
import type { TaskResult } from '../../../../protocol/index.js';
import {
  commandSpec,
  disconnectCommand,
  newState,
  registerCommand,
} from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const HASH = 'ab'.repeat(32);
/** The hash of the secret issued to worker w1. */
const W1_SECRET = 'cd'.repeat(32);
const infrastructure: TaskResult = {
  status: 'failed',
  failureKind: 'infrastructure',
  durationMs: 3,
  error: 'browser crashed',
};

/** Events as plain data: the records they carry as they are now, Sets as arrays. */
function eventData(events: StateEvent[]): unknown {
  return JSON.parse(
    JSON.stringify(events, (_key, value: unknown) => (value instanceof Set ? [...value] : value)),
  );
}

function register(now: number, workerId: string, slots: number): Command {
  return registerCommand(workerId, { now, slots });
}

function leaseOf(state: CoordinatorState, taskId: string) {
  const task = state.tasks.get(taskId)!;
  return { taskId, attempt: task.attempt, leaseToken: task.leaseToken };
}

/**
 * A cluster's log in miniature: the commands a leader would propose, each made from the state
 * that applied everything before it (placements from the scheduler, results for live leases).
 */
const FIRST_HALF: Array<(s: CoordinatorState) => Command | undefined> = [
  () => ({ type: 'SetCredentials', now: 1, adminKeySha256: HASH, workerTokenSha256: HASH }),
  () => ({ ...register(10, 'w1', 2), newSecretSha256: W1_SECRET }),
  () => register(10, 'w2', 1),
  () => register(10, 'w3', 1),
  () => ({
    type: 'SubmitTasks',
    now: 20,
    audit: { key: 'admin', role: 'admin', from: '127.0.0.1' },
    tasks: [
      { id: 'a', spec: commandSpec({ name: 'slow', group: 'g1' }) },
      { id: 'b', spec: commandSpec({ name: 'fast', group: 'g2', priority: 5 }) },
      { id: 'c', spec: commandSpec({ group: 'g1', retry: { maxRetries: 3, delayMs: 500 } }) },
      { id: 'd', spec: commandSpec({ dependsOn: ['a'], deadline: 9_999 }) },
      { id: 'e', spec: commandSpec({ group: 'g2', idempotencyKey: 'k-e' }) },
      { id: 'f', spec: commandSpec({ name: 'slow', group: 'g1' }) },
    ],
  }),
  (s) => ({ type: 'AssignTasks', now: 30, placements: schedule(s) }),
  (s) => ({ type: 'StartTask', now: 31, workerId: 'w1', lease: leaseOf(s, 'b') }),
  (s) => ({
    type: 'RecordResults',
    now: 40,
    workerId: s.tasks.get('b')!.workerId!,
    reports: [{ ...leaseOf(s, 'b'), result: { status: 'succeeded', durationMs: 700 } }],
  }),
  (s) => {
    const c = s.tasks.get('c')!;
    return c.workerId === undefined
      ? undefined
      : {
          type: 'RecordResults',
          now: 41,
          workerId: c.workerId,
          reports: [{ ...leaseOf(s, 'c'), result: infrastructure }],
        };
  },
  () => ({ type: 'Heartbeat', now: 1_000, workerId: 'w1' }),
  () => ({ type: 'Heartbeat', now: 2_300, workerId: 'w1' }),
  () => ({ type: 'DrainWorker', now: 2_400, workerId: 'w3', by: 'admin', graceMs: 50 }),
  () => ({
    type: 'SubmitTasks',
    now: 2_500,
    tasks: [
      { id: 'e2', spec: commandSpec({ idempotencyKey: 'k-e' }) },
      // Queued behind a known run time: longest-first order depends on it.
      { id: 'i', spec: commandSpec({ name: 'fast', group: 'g1' }) },
    ],
  }),
  () => register(2_600, 'w4', 1),
  () => ({ type: 'DrainWorker', now: 2_610, workerId: 'w4', by: 'worker' }),
  () => disconnectCommand('w4', 2_620),
  () => register(2_630, 'w5', 1),
  () => ({
    type: 'RetargetTasks',
    now: 2_640,
    taskIds: ['i', 'f', 'a', 'no-such-task'],
    requirements: { workers: ['w5', 'w1'] },
    revokeRunning: true,
  }),
  () => ({ type: 'OpenRun', now: 2_700, run: { id: 'r1', suite: 's', meta: { commit: 'c1' } } }),
  () => ({
    type: 'RecordRunResults',
    now: 2_710,
    runId: 'r1',
    results: [
      { test: 't', kind: 'vitest', status: 'passed', durationMs: 5 },
      {
        test: 'm',
        kind: 'model',
        status: 'failed',
        durationMs: 9,
        error: 'off',
        metrics: { medianMs: 2 },
      },
    ],
    end: { status: 'failed' },
  }),
  () => ({
    type: 'QuarantineTest',
    now: 2_715,
    entry: { test: 'm', browser: 'firefox', reason: 'flips' },
  }),
  () => ({ type: 'QuarantineTest', now: 2_716, entry: { test: 't' } }),
  // Open, with results: the snapshot copies them as they are.
  () => ({ type: 'OpenRun', now: 2_720, run: { id: 'r2', suite: 's', meta: {} } }),
  () => ({
    type: 'RecordRunResults',
    now: 2_730,
    runId: 'r2',
    results: [{ test: 't', kind: 'vitest', status: 'failed', durationMs: 6 }],
  }),
];

const SECOND_HALF: Array<(s: CoordinatorState) => Command | undefined> = [
  () => ({ type: 'Tick', now: 3_000 }),
  // Only the close of the connection it registered on last disconnects a worker.
  () => disconnectCommand('w5', 3_000, 'an older connection of w5'),
  () => disconnectCommand('w5', 3_000),
  (s) => ({ type: 'AssignTasks', now: 3_001, placements: schedule(s) }),
  (s) => {
    const a = s.tasks.get('a')!;
    return a.workerId === undefined
      ? undefined
      : {
          type: 'RecordResults',
          now: 3_100,
          workerId: a.workerId,
          reports: [{ ...leaseOf(s, 'a'), result: { status: 'succeeded', durationMs: 9_000 } }],
        };
  },
  () => ({
    type: 'SubmitTasks',
    now: 3_200,
    tasks: [
      { id: 'g', spec: commandSpec({ name: 'slow', group: 'g2' }) },
      { id: 'h', spec: commandSpec({ name: 'fast', group: 'g1' }) },
    ],
  }),
  (s) => ({ type: 'AssignTasks', now: 3_300, placements: schedule(s) }),
  () => ({
    type: 'RetargetTasks',
    now: 3_310,
    taskIds: ['g', 'h', 'i'],
    requirements: { workers: ['w2'] },
    revokeRunning: true,
  }),
  () => ({ type: 'LeaderElected', now: 3_350 }),
  // Another connection claims w1 without its secret: refused on the restored member too.
  () => ({ ...register(3_380, 'w1', 1), secretSha256: 'ef'.repeat(32) }),
  () => ({ ...register(3_400, 'w1', 2), secretSha256: W1_SECRET }),
  () => ({ type: 'ExpireWorker', now: 3_500, workerId: 'w2', reason: 'silent' }),
  (s) => {
    const live = [...s.tasks.values()].find((t) => t.state === 'assigned');
    return live === undefined
      ? undefined
      : { type: 'ExpireLease', now: 3_600, lease: leaseOf(s, live.id), reason: 'timed out' };
  },
  () => ({
    type: 'CancelTasks',
    now: 3_700,
    group: 'g2',
    reason: 'enough',
    audit: { key: 'k_submitter1', role: 'submitter', from: '10.0.0.7' },
  }),
  () => ({
    type: 'RecordRunResults',
    now: 3_710,
    runId: 'r2',
    results: [{ test: 'u', kind: 'vitest', status: 'skipped', durationMs: 0 }],
    end: { status: 'failed' },
  }),
  () => ({ type: 'PruneRuns', now: 3_720, keepRuns: 1, keepDays: 30 }),
  () => ({ type: 'ReleaseTest', now: 3_730, entry: { test: 't' } }),
  () => ({ type: 'Tick', now: 60_000 }),
  (s) => ({ type: 'AssignTasks', now: 60_001, placements: schedule(s) }),
];

function run(state: CoordinatorState, steps: typeof FIRST_HALF): void {
  for (const step of steps) {
    const command = step(state);
    if (command !== undefined) apply(state, command);
  }
}

describe('state snapshots', () => {
  it('round-trip: the restored state writes the same snapshot and holds the same records', async () => {
    const state = newState();
    run(state, FIRST_HALF);
    // The scenario reaches what lives only in memory: backoffs, health, drains, fair share.
    expect(state.delayed.nextDue()).toBeDefined();
    expect(state.workers.get('w1')!.health.jitterMs).toBeGreaterThan(0);
    expect([...state.workers.values()].some((w) => w.health.recent.length > 0)).toBe(true);
    expect(state.workers.get('w3')!.draining).toBe(true);
    expect(state.workers.get('w4')!.status).toBe('drained');
    expect(state.groupPass.size).toBeGreaterThan(0);
    expect(state.tasks.get('f')!.submittedRequirements).toEqual({});
    const data = await encodeStateSnapshot(state);
    const restored = decodeStateSnapshot(data, state.config);
    expect(await encodeStateSnapshot(restored)).toBe(data);
    expect(restored.tasks).toEqual(state.tasks);
    expect(restored.workers).toEqual(state.workers);
    expect(restored.workers.get('w1')!.secretSha256).toBe(W1_SECRET);
    expect(restored.credentials).toEqual(state.credentials);
    expect(restored.runs).toEqual(state.runs);
    expect(restored.quarantine).toEqual(state.quarantine);
    expect(restored.quarantine.size).toBe(2);
    expect(restored.runs.get('r2')!.status).toBe('running');
    expect([...restored.durations]).toEqual([...state.durations]);
    expect(restored.auditHead).toEqual(state.auditHead);
    expect(restored.auditHead.seq).toBe(1);
    expect(restored.ready.size).toBe(state.ready.size);
    expect(restored.delayed.entries().length).toBe(state.delayed.entries().length);
  });

  it('a member restored from a snapshot applies the later log exactly as one that applied it all', async () => {
    const full = newState();
    run(full, FIRST_HALF);
    const restored = decodeStateSnapshot(await encodeStateSnapshot(full), full.config);
    // Each command is made once, from the member that applied everything, as a leader would.
    for (const step of SECOND_HALF) {
      const command = step(full);
      if (command === undefined) continue;
      if (command.type === 'AssignTasks') expect(schedule(restored)).toEqual(command.placements);
      expect(eventData(apply(restored, command))).toEqual(eventData(apply(full, command)));
    }
    expect(full.tasks.get('d')!.state).not.toBe('queued');
    // Pruned to the newest run of suite s: r2, ended with the results from both halves.
    expect([...restored.runs.keys()]).toEqual(['r2']);
    expect(restored.runs.get('r2')!.counts).toMatchObject({ results: 2, failed: 1, skipped: 1 });
    // The audit entry of the second half chains to the head the snapshot carried.
    expect(restored.auditHead).toEqual(full.auditHead);
    expect(restored.auditHead.seq).toBe(2);
    expect(await encodeStateSnapshot(restored)).toBe(await encodeStateSnapshot(full));
  });

  describe('a bad snapshot is refused with the problem named', () => {
    const config = newState().config;
    const data = (json: unknown) => gzipSync(JSON.stringify(json)).toString('base64');
    const valid = async () => {
      const state = newState();
      run(state, FIRST_HALF);
      const encoded = await encodeStateSnapshot(state);
      return JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString()) as Record<
        string,
        unknown
      > & { tasks: Array<Record<string, unknown>> };
    };

    it('corrupt', () => {
      expect(() => decodeStateSnapshot('bm90IGd6aXA=', config)).toThrow(
        /state snapshot refused: not gzip-compressed base64/,
      );
      expect(() => decodeStateSnapshot(gzipSync('{"v":1,').toString('base64'), config)).toThrow(
        /not JSON/,
      );
    });

    it('oversized', async () => {
      const state = newState();
      run(state, FIRST_HALF);
      const encoded = await encodeStateSnapshot(state);
      expect(() => decodeStateSnapshot(encoded, config, 1_000)).toThrow(StateSnapshotError);
      expect(() => decodeStateSnapshot(encoded, config, 1_000)).toThrow(
        /larger than 1000 bytes uncompressed/,
      );
    });

    it('of an unknown version', () => {
      expect(() => decodeStateSnapshot(data({ v: 2 }), config)).toThrow(
        /version 2 is not one this coordinator reads \(1\)/,
      );
    });

    it('with a bad field or a dangling reference', async () => {
      const snapshot = await valid();
      snapshot.tasks[0]!.attempt = -1;
      expect(() => decodeStateSnapshot(data(snapshot), config)).toThrow(/tasks\[0\]\.attempt/);
      const dangling = await valid();
      dangling.dependents = [['a', ['nope']]];
      expect(() => decodeStateSnapshot(data(dangling), config)).toThrow(
        /the dependents of a names unknown task nope/,
      );
    });

    it('at restart, leaving the tables, the log and the applied index as they were', () => {
      const dir = tempDir();
      const db = openDatabase(dir);
      const state = newState();
      run(state, FIRST_HALF);
      db.transaction(() => writeAppliedState(db, state, 7))();
      const storage = new SqliteStorage(db);
      storage.persist({
        hardState: { term: 1, vote: 'c1', commit: 9 },
        entries: [],
        snapshot: { meta: { index: 9, term: 1 }, data: data({ v: 3 }) },
        compaction: null,
      });
      const tables = () => ({
        tasks: db.prepare('SELECT * FROM tasks ORDER BY seq').all(),
        workers: db.prepare('SELECT * FROM workers ORDER BY id').all(),
        applied: new AppliedIndex(db).get(),
      });
      const before = tables();
      expect(() => restoreAppliedState(db, config)).toThrow(/version 3/);
      expect(tables()).toEqual(before);
      expect(before.applied).toBe(7);
      expect(before.tasks).toHaveLength(state.tasks.size);
      db.close();
    });
  });
});
