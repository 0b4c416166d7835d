import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreAppliedState } from '../../../../coordinator/cluster/applied-state.js';
import { RaftHost } from '../../../../coordinator/cluster/raft-host.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import { GroupCommit, loadState, openDatabase } from '../../../../coordinator/store/index.js';
import { type LeaseRef, PROTOCOL_VERSION } from '../../../../protocol/index.js';
import { commandSpec, registerCommand } from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

const config = { heartbeatIntervalMs: 1000, heartbeatMisses: 3 };
const hosts: RaftHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
  removeTempDirs();
});

/**
 * A one-member cluster: it elects itself, so the host's whole path runs without peers. Given
 * `peers`, a member of a larger one whose peers are never reached. `restore`: the state comes
 * from the log as a cluster coordinator's does, instead of from the tables.
 */
function soloHost(
  dir: string,
  {
    peers = new Map([['c1', 'http://127.0.0.1:1']]),
    onFatal = (error) => {
      throw error;
    },
    restore = false,
  }: {
    peers?: Map<string, string>;
    onFatal?: (error: unknown) => void;
    restore?: boolean;
  } = {},
) {
  const db = openDatabase(dir);
  const state = restore ? restoreAppliedState(db, config).state : loadState(db, config, 10_000);
  const commit = new GroupCommit(db, state, {
    followUp: () => undefined,
    onCommitted: () => {},
    onFatal: (error) => {
      throw error;
    },
  });
  let led!: () => void;
  const becameLeader = new Promise<void>((resolve) => {
    led = resolve;
  });
  const host = new RaftHost({
    id: 'c1',
    peers,
    token: 'secret-secret-secret',
    tickMs: 5,
    electionTicks: 2,
    // Four election timeouts are 40 ms: too short for a loaded machine to elect itself in.
    readTimeoutMs: 10_000,
    db,
    commit,
    maxFrameBytes: 1 << 20,
    logger: pino({ level: 'silent' }),
    followUp: (s) => {
      const placements = schedule(s);
      return placements.length === 0 ? undefined : { type: 'AssignTasks', now: 2, placements };
    },
    onRoleChange: (leading) => {
      if (leading) led();
    },
    onFatal,
  });
  hosts.push(host);
  /** Starts the host; resolves once it has elected itself. */
  const lead = () => {
    host.start();
    return becameLeader;
  };
  return { db, state, host, lead, commit };
}

/**
 * A member of a two-member cluster whose other member, c2, is never reached; `refused`
 * resolves with the error it stops on.
 */
function followerOfC2() {
  let fatal!: (error: unknown) => void;
  const refused = new Promise<unknown>((resolve) => {
    fatal = resolve;
  });
  const peers = new Map([
    ['c1', 'http://127.0.0.1:1'],
    ['c2', 'http://127.0.0.1:1'],
  ]);
  return { ...soloHost(tempDir(), { peers, onFatal: fatal }), refused };
}

describe('RaftHost', () => {
  it('refuses commands while it does not lead, naming the problem', async () => {
    const { host } = soloHost(tempDir());
    await expect(
      host.submitAndWait({
        type: 'SubmitTasks',
        now: 1,
        tasks: [{ id: 'a', spec: commandSpec() }],
      }),
    ).rejects.toMatchObject({ code: 'not_leader' });
  });

  it('answers a command once its entry is applied, and the leader schedules through the log', async () => {
    const { host, state, lead } = soloHost(tempDir());
    await lead();
    const events = await host.submitAndWait({
      type: 'SubmitTasks',
      now: 1,
      tasks: [{ id: 'a', spec: commandSpec() }],
    });
    expect(events.map((e) => e.type)).toContain('TaskSubmitted');
    await host.submitAndWait(registerCommand('w1'));
    while (state.tasks.get('a')!.state !== 'assigned')
      await host.submitAndWait({ type: 'Tick', now: 3 });
    const status = host.status();
    expect(status).toMatchObject({ role: 'leader', leader: 'c1', leaderUrl: 'http://127.0.0.1:1' });
    expect(status.applied).toBe(status.commit);
  });

  it('holds a read until a leader confirms it, then serves it with what was applied', async () => {
    const { host, state, lead } = soloHost(tempDir());
    const early = host.read();
    await lead();
    await early;
    await host.submitAndWait({
      type: 'SubmitTasks',
      now: 1,
      tasks: [{ id: 'a', spec: commandSpec() }],
    });
    await Promise.all([host.read(), host.read(), host.read()]);
    expect(state.tasks.has('a')).toBe(true);
    host.close();
    await expect(host.read()).rejects.toMatchObject({
      code: 'not_leader',
      message: 'this coordinator is shutting down',
    });
  });

  it('after a restart applies only what the tables do not reflect yet', async () => {
    const dir = tempDir();
    const first = soloHost(dir);
    await first.lead();
    await first.host.submitAndWait({
      type: 'SubmitTasks',
      now: 1,
      tasks: [{ id: 'a', spec: commandSpec() }],
    });
    const applied = first.host.status().applied;
    first.host.close();
    first.db.close();

    const second = soloHost(dir);
    expect(second.state.tasks.get('a')?.state).toBe('queued');
    // The tables already reflect every entry up to `applied`: none of them is applied again.
    expect(second.host.status().applied).toBe(applied);
    await second.lead();
    expect(second.host.status().applied).toBeGreaterThan(applied);
    expect(second.state.tasks.size).toBe(1);
  });

  it('once elected, places no new task on a worker the log says is connected until it registers with it; its attempt keeps its lease', async () => {
    const dir = tempDir();
    const register = (inFlight: LeaseRef[]) => registerCommand('w1', { slots: 2, inFlight });
    const first = soloHost(dir, { restore: true });
    await first.lead();
    await first.host.submitAndWait(register([]));
    await first.host.submitAndWait({
      type: 'SubmitTasks',
      now: 1,
      tasks: [{ id: 'a', spec: commandSpec() }],
    });
    while (first.state.tasks.get('a')!.state !== 'assigned')
      await first.host.submitAndWait({ type: 'Tick', now: 3 });
    const { attempt, leaseToken } = first.state.tasks.get('a')!;
    first.host.close();
    first.db.close();

    // The same log, elected again: the worker's connection was to the earlier leader.
    const second = soloHost(dir, { restore: true });
    await second.lead();
    await second.host.submitAndWait({
      type: 'SubmitTasks',
      now: 4,
      tasks: [{ id: 'b', spec: commandSpec({ retry: { maxRetries: 0 } }) }],
    });
    // Anything placed after the submit has been applied by now.
    await second.host.submitAndWait({ type: 'Tick', now: 5 });
    expect(second.state.workers.get('w1')?.status).toBe('disconnected');
    expect(second.state.tasks.get('b')?.state).toBe('queued');
    expect(second.state.tasks.get('a')).toMatchObject({ state: 'assigned', attempt, leaseToken });

    await second.host.submitAndWait(register([{ taskId: 'a', attempt, leaseToken }]));
    while (second.state.tasks.get('b')!.state !== 'assigned')
      await second.host.submitAndWait({ type: 'Tick', now: 6 });
    expect(second.state.tasks.get('b')).toMatchObject({ workerId: 'w1', failures: 0 });
    expect(second.state.tasks.get('a')).toMatchObject({ state: 'assigned', attempt, leaseToken });
  });

  it('refuses a leader snapshot it cannot read before storing anything, and stops', async () => {
    const { db, host, commit, refused } = followerOfC2();
    await commit.submitAndWait({
      type: 'SubmitTasks',
      now: 1,
      tasks: [{ id: 'a', spec: commandSpec() }],
    });
    const stored = () => ({
      hardState: db.prepare('SELECT * FROM raft_hard_state').all(),
      snapshot: db.prepare('SELECT * FROM raft_snapshot').all(),
      entries: db.prepare('SELECT COUNT(*) AS n FROM raft_entries').get(),
      tasks: db.prepare('SELECT id, state FROM tasks').all(),
      applied: db.prepare('SELECT * FROM raft_applied').all(),
    });
    const before = stored();
    const snapshot = { meta: { index: 10, term: 5 }, data: 'bm90IGd6aXA=' };
    const frame = {
      v: PROTOCOL_VERSION,
      type: 'raft',
      messages: [{ type: 'Snapshot', from: 'c2', to: 'c1', term: 5, snapshot }],
    };
    expect(host.transport.receive(JSON.stringify(frame), 'c2')).toBeUndefined();
    expect(String(await refused)).toMatch(/state snapshot refused: not gzip-compressed base64/);
    expect(stored()).toEqual(before);
    expect(before.tasks).toEqual([{ id: 'a', state: 'queued' }]);
  });

  it('stops at a committed entry that is no command, applying nothing of its batch', async () => {
    const { host, state, refused } = followerOfC2();
    const submit = { type: 'SubmitTasks', now: 1, tasks: [{ id: 'a', spec: commandSpec() }] };
    const entries = [
      { index: 1, term: 2, kind: 'normal', data: JSON.stringify(submit) },
      // A task spec without its payload: `apply` would take it for a command task.
      {
        index: 2,
        term: 2,
        kind: 'normal',
        data: JSON.stringify({ ...submit, tasks: [{ id: 'b', spec: { kind: 'command' } }] }),
      },
    ];
    const append = {
      type: 'Append',
      from: 'c2',
      to: 'c1',
      term: 2,
      prevIndex: 0,
      prevTerm: 0,
      entries,
      commit: 2,
    };
    const frame = { v: PROTOCOL_VERSION, type: 'raft', messages: [append] };
    expect(host.transport.receive(JSON.stringify(frame), 'c2')).toBeUndefined();
    expect(String(await refused)).toMatch(
      /the Raft log's entry 2 \(term 2\) is no command this coordinator can apply: invalid command: tasks\[0\]\.spec\.payload/,
    );
    expect([...state.tasks.keys()]).toEqual([]);
  });
});
