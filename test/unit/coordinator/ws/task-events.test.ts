import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import { type Command, createState } from '../../../../coordinator/state/index.js';
import { GroupCommit, openDatabase } from '../../../../coordinator/store/index.js';
import { Subscriptions } from '../../../../coordinator/ws/subscriptions.js';
import type { EventMessage, TaskEvent, TaskResult } from '../../../../protocol/index.js';
import { commandSpec, registerCommand } from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const ASSIGNED_AT = 500;
const ok: TaskResult = { status: 'succeeded', durationMs: 3 };

/** A group commit with the scheduler as follow-up, publishing each batch to one subscriber of group `g`. */
function subscribedCommit() {
  const db = openDatabase(tempDir());
  const subscriptions = new Subscriptions();
  const received: TaskEvent[] = [];
  const socket = {
    readyState: 1,
    send: (text: string) => received.push(...(JSON.parse(text) as EventMessage).events),
  } as unknown as WebSocket;
  subscriptions.add(socket, { group: 'g' });
  const commit = new GroupCommit(
    db,
    createState({ heartbeatIntervalMs: 1000, heartbeatMisses: 3 }),
    {
      followUp: (state) => {
        const placements = schedule(state);
        return placements.length === 0
          ? undefined
          : { type: 'AssignTasks', now: ASSIGNED_AT, placements };
      },
      onCommitted: (events) => subscriptions.publish(events),
      onFatal: (error) => {
        throw error;
      },
    },
  );
  /** Submits the commands together: they are applied and committed as one batch. */
  const batch = (...commands: Command[]) =>
    Promise.all(commands.map((command) => commit.submitAndWait(command)));
  return { commit, received, batch, close: () => db.close() };
}

function lease(taskId: string, attempt: number, leaseToken: number) {
  return { taskId, attempt, leaseToken };
}

describe('task events', () => {
  it('tell each transition of one batch as it was: queued, assigned, then running and succeeded', async () => {
    const { received, batch, close } = subscribedCommit();
    await batch(
      { type: 'SubmitTasks', now: 100, tasks: [{ id: 't', spec: commandSpec({ group: 'g' }) }] },
      registerCommand('w', { now: 100 }),
    );
    await batch(
      { type: 'StartTask', now: 600, workerId: 'w', lease: lease('t', 1, 1) },
      {
        type: 'RecordResults',
        now: 700,
        workerId: 'w',
        reports: [{ ...lease('t', 1, 1), result: ok }],
      },
    );
    expect(received).toEqual([
      { taskId: 't', group: 'g', state: 'queued', attempt: 0, at: 100 },
      { taskId: 't', group: 'g', state: 'assigned', attempt: 1, workerId: 'w', at: ASSIGNED_AT },
      { taskId: 't', group: 'g', state: 'running', attempt: 1, workerId: 'w', at: 600 },
      {
        taskId: 't',
        group: 'g',
        state: 'succeeded',
        attempt: 1,
        workerId: 'w',
        at: 700,
        result: ok,
      },
    ]);
    close();
  });

  it('tell a requeue as queued with the lost attempt, then the next assignment, in one batch', async () => {
    const { received, batch, close } = subscribedCommit();
    const spec = commandSpec({ group: 'g', retry: { delayMs: 0 } });
    await batch(
      { type: 'SubmitTasks', now: 100, tasks: [{ id: 't', spec }] },
      registerCommand('a', { now: 100 }),
    );
    received.length = 0;
    await batch(
      { type: 'ExpireWorker', now: 800, workerId: 'a', reason: 'silent' },
      registerCommand('b', { now: 800 }),
    );
    expect(received).toEqual([
      {
        taskId: 't',
        group: 'g',
        state: 'queued',
        attempt: 1,
        at: 800,
        reason: 'worker a lost: silent',
      },
      { taskId: 't', group: 'g', state: 'assigned', attempt: 2, workerId: 'b', at: ASSIGNED_AT },
    ]);
    close();
  });
});
