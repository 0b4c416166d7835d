import { describe, expect, it } from 'vitest';
import type { Command } from '../../../coordinator/state/index.js';
import { parseWith, StateCommand } from '../../../protocol/index.js';
import { browserCapabilities, commandSpec, registerCommand } from '../../support/fixtures.js';

const lease = { taskId: 't1', attempt: 1, leaseToken: 3 };
const hash = 'ab'.repeat(32);

/** One of each command, as the edges and the scheduler make them. */
const commands: Command[] = [
  { type: 'SubmitTasks', now: 1, tasks: [{ id: 't1', spec: commandSpec({ group: 'g' }) }] },
  { ...registerCommand('w1'), secretSha256: hash, newSecretSha256: hash },
  {
    ...registerCommand('w2', { capabilities: browserCapabilities('firefox') }),
    inFlight: null,
    byAdmin: true,
  },
  { type: 'Heartbeat', now: 2, workerId: 'w1' },
  { type: 'WorkerDisconnected', now: 2, workerId: 'w1', connection: 'c-1' },
  { type: 'LeaderElected', now: 2 },
  { type: 'ExpireWorker', now: 2, workerId: 'w1', reason: 'silent' },
  {
    type: 'AssignTasks',
    now: 2,
    placements: [{ taskId: 't1', workerId: 'w1', preempts: { ...lease, taskId: 't0' } }],
  },
  { type: 'StartTask', now: 2, workerId: 'w1', lease },
  {
    type: 'RecordResults',
    now: 3,
    workerId: 'w1',
    reports: [{ ...lease, result: { status: 'succeeded', durationMs: 5 } }],
  },
  { type: 'CancelTasks', now: 3, group: 'g', reason: 'cancelled by a client' },
  {
    type: 'RetargetTasks',
    now: 3,
    taskIds: ['t1'],
    requirements: { workers: ['w2'] },
    revokeRunning: true,
  },
  { type: 'Tick', now: 4 },
  { type: 'ExpireLease', now: 4, lease, reason: 'no result' },
  { type: 'DrainWorker', now: 4, workerId: 'w1', by: 'admin', graceMs: 1000 },
  { type: 'ReleaseTasks', now: 4, workerId: 'w1', leases: [lease], reason: 'drained' },
  { type: 'SetCredentials', now: 5, adminKeySha256: hash, workerTokenSha256: hash },
];

describe('the state-machine command schema', () => {
  it('takes back every command as the log carries it (JSON), unchanged', () => {
    for (const command of commands) {
      const decoded = StateCommand.safeParse(JSON.parse(JSON.stringify(command)));
      expect(decoded.success, command.type).toBe(true);
      expect(decoded.data, command.type).toEqual(command);
    }
  });

  it('refuses what is no command, naming the field', () => {
    const refusals = [
      [{ type: 'Launch', now: 1 }, /type/],
      [{ type: 'Tick' }, /now/],
      [{ type: 'Tick', now: 'soon' }, /now/],
      [{ type: 'SubmitTasks', now: 1, tasks: [{ id: 't1', spec: { kind: 'command' } }] }, /spec/],
      [{ type: 'SetCredentials', now: 1, adminKeySha256: 'x', workerTokenSha256: hash }, /hex/],
      [{ type: 'StartTask', now: 1, workerId: '', lease }, /workerId/],
    ] as const;
    for (const [value, problem] of refusals) {
      const decoded = parseWith(StateCommand, value, 'command');
      expect(decoded.ok, JSON.stringify(value)).toBe(false);
      if (!decoded.ok) expect(decoded.error.message).toMatch(problem);
    }
  });
});
