import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  type TaskEvent,
  TERMINAL_STATES,
  ToClientMessage,
} from '../../protocol/index.js';
import { startCoordinatorProcess, startWorkerProcess } from '../support/processes.js';
import {
  agreedLeader,
  clusterCredentials,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

/**
 * What is wrong with one task's events, seen by a subscriber from before its submit: they must
 * be one path through the task's life, each transition once: queued (attempt 0), then per
 * attempt n: assigned (n, a worker), optionally running (n, that worker), then queued again
 * (n) or the end (n, that worker), and the end must be `succeeded`.
 */
function transitionProblem(events: readonly TaskEvent[]): string | undefined {
  const first = events[0];
  if (first?.state !== 'queued' || first.attempt !== 0) return 'does not start queued at attempt 0';
  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1]!;
    const event = events[i]!;
    const step = `${before.state}#${before.attempt} → ${event.state}#${event.attempt}`;
    if (TERMINAL_STATES.has(before.state)) return `an event after the end: ${step}`;
    if (event.state === 'assigned') {
      if (before.state !== 'queued' || event.attempt !== before.attempt + 1) return step;
      if (event.workerId === undefined) return `${step} names no worker`;
      continue;
    }
    if (before.state === 'queued' || event.attempt !== before.attempt) return step;
    if (event.state === 'running' && before.state !== 'assigned') return step;
    if (event.state !== 'queued' && event.workerId !== before.workerId) {
      return `${step} moved from worker ${before.workerId} to ${event.workerId}`;
    }
  }
  const last = events.at(-1)!;
  return last.state === 'succeeded' ? undefined : `ends ${last.state}`;
}

/**
 * Over one raw WebSocket (the SDK would hide duplicates): for each of `count` one-task groups,
 * subscribes to the group, then submits its task; resolves with every event and snapshot entry
 * received per task once each task has ended.
 */
async function oneTaskGroups(
  wsUrl: string,
  token: string,
  count: number,
): Promise<Map<string, TaskEvent[]>> {
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  await once(socket, 'open');
  const byTask = new Map<string, TaskEvent[]>();
  const ended = new Set<string>();
  const run = Math.random().toString(36).slice(2);
  const allEnded = new Promise<void>((resolve, reject) => {
    socket.on('close', (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
    socket.on('message', (data) => {
      const message = ToClientMessage.parse(JSON.parse(String(data)));
      if (message.type === 'error') reject(new Error(`${message.code}: ${message.message}`));
      const events =
        message.type === 'event'
          ? message.events
          : message.type === 'subscribed'
            ? message.snapshot
            : [];
      for (const event of events) {
        byTask.set(event.taskId, [...(byTask.get(event.taskId) ?? []), event]);
        if (TERMINAL_STATES.has(event.state)) ended.add(event.taskId);
      }
      if (ended.size === count) resolve();
    });
  });
  for (let i = 0; i < count; i++) {
    const group = `one-${run}-${i}`;
    const request = { v: PROTOCOL_VERSION, group };
    socket.send(JSON.stringify({ ...request, type: 'subscribe', id: `s${i}` }));
    const task = { kind: 'command', payload: { command: 'true' }, group };
    socket.send(
      JSON.stringify({ v: PROTOCOL_VERSION, type: 'submit', id: `t${i}`, tasks: [task] }),
    );
  }
  await allEnded;
  // A round trip after the last end: anything sent after it (a repeated end) is in by now.
  socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'query', id: 'last', limit: 1 }));
  await new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { id?: string }).id === 'last') resolve();
    }),
  );
  socket.close();
  return byTask;
}

function expectValidTransitions(byTask: Map<string, TaskEvent[]>, count: number): void {
  expect(byTask.size).toBe(count);
  const problems = [...byTask].flatMap(([taskId, events]) => {
    const problem = transitionProblem(events);
    const path = events.map((e) => `${e.state}#${e.attempt}`).join(' ');
    return problem === undefined ? [] : [`${taskId}: ${problem} (${path})`];
  });
  expect(problems).toEqual([]);
}

describe('task events over a real coordinator and worker', () => {
  it('tell each one-task group its own transitions, once each', async () => {
    const coordinator = await startCoordinatorProcess(tempDir());
    await startWorkerProcess(coordinator, { slots: 4 });
    const count = 300;
    expectValidTransitions(
      await oneTaskGroups(coordinator.wsUrl, coordinator.adminKey, count),
      count,
    );
  });

  it('tell the same at the leader of a Raft cluster', async () => {
    const members = await startRaftCluster(3);
    const keys = await clusterCredentials(members);
    await startClusterWorkers(members, keys.workerToken, 1);
    const leader = await agreedLeader(members, keys.adminKey);
    const count = 150;
    expectValidTransitions(await oneTaskGroups(leader.wsUrl, keys.adminKey, count), count);
  });
});
