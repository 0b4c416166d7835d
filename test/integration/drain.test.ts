import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskEvent, TaskSpecInput } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  type Spawned,
  spawnDtf,
  startCoordinatorProcess,
} from '../support/processes.js';
import { eventually } from '../support/raft-cluster.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

async function startWorker(
  coordinator: CoordinatorProcess,
  opts: { name: string; slots: number; drainGraceMs?: number },
): Promise<Spawned & { workerId: string }> {
  const args = ['worker', '--coordinator', coordinator.wsUrl, '--token', coordinator.workerToken];
  args.push('--slots', String(opts.slots), '--name', opts.name);
  if (opts.drainGraceMs !== undefined) args.push('--drain-grace-ms', String(opts.drainGraceMs));
  const spawned = spawnDtf(args);
  const [, workerId] = await spawned.waitFor(/DTF worker (\S+) registered/);
  return { ...spawned, workerId: workerId! };
}

/** Runs until the file `marker` exists. */
const untilMarker = (name: string, group: string, marker: string): TaskSpecInput => ({
  kind: 'command',
  name,
  group,
  payload: { command: 'while [ ! -e "$1" ]; do sleep 0.02; done', args: [marker], shell: true },
});

/** Sleeps for half a minute, unless started after `marker` exists: then it ends at once. */
const longUnlessMarker = (name: string, group: string, marker: string): TaskSpecInput => ({
  kind: 'command',
  name,
  group,
  payload: { command: 'if [ -e "$1" ]; then exit 0; fi; sleep 30', args: [marker], shell: true },
});

/** Collects a group's events and resolves `until(predicate)` once the events so far satisfy it. */
function eventLog() {
  const events: TaskEvent[] = [];
  const waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  return {
    events,
    onEvents(batch: TaskEvent[]) {
      events.push(...batch);
      for (const waiter of [...waiters]) {
        if (waiter.check()) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(predicate: (events: TaskEvent[]) => boolean): Promise<void> {
      if (predicate(events)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ check: () => predicate(events), resolve }));
    },
  };
}

const runningOn = (events: TaskEvent[], workerId: string) =>
  new Set(
    events.filter((e) => e.state === 'running' && e.workerId === workerId).map((e) => e.taskId),
  ).size;

describe('draining a worker', () => {
  it('SIGTERM on a busy worker loses no task: running tasks finish or are handed back uncharged', async () => {
    const dir = tempDir();
    const marker = join(dir, 'go');
    const coordinator = await startCoordinatorProcess(tempDir());
    const doomed = await startWorker(coordinator, { name: 'doomed', slots: 4, drainGraceMs: 3000 });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    const log = eventLog();
    await client.subscribe({ group: 'drain' }, (events) => log.onEvents(events));

    const [short0, long0, short1, long1, extra0, extra1] = await client.submit([
      untilMarker('short0', 'drain', marker),
      longUnlessMarker('long0', 'drain', marker),
      untilMarker('short1', 'drain', marker),
      longUnlessMarker('long1', 'drain', marker),
      untilMarker('extra0', 'drain', marker),
      untilMarker('extra1', 'drain', marker),
    ]);
    const all = [short0!, long0!, short1!, long1!, extra0!, extra1!];
    await log.until((events) => runningOn(events, doomed.workerId) === 4);
    const survivor = await startWorker(coordinator, { name: 'survivor', slots: 4 });
    await log.until((events) => runningOn(events, survivor.workerId) === 2);

    // SIGTERM while all four run (a short one ended before it would leave three); then the
    // short tasks can end, and the long ones on `doomed` sleep past the grace period.
    doomed.child.kill('SIGTERM');
    await doomed.waitFor(/draining: 4 running, grace 3 s/);
    writeFileSync(marker, '');

    const final = await client.waitFor({ taskIds: all });
    expect(final.map((e) => e.state)).toEqual(all.map(() => 'succeeded'));
    expect(await doomed.exited).toBe(0);
    expect(doomed.output()).toMatch(/grace period over; 2 finished, handing back 2/);
    expect(doomed.output()).toMatch(
      /drained: the coordinator acknowledged every result and release/,
    );

    // Each task succeeded exactly once.
    for (const id of all) {
      const ends = log.events.filter((e) => e.taskId === id && e.state === 'succeeded');
      expect(ends, `succeeded events of ${id}`).toHaveLength(1);
    }
    const tasks = new Map((await client.query({ taskIds: all })).map((t) => [t.id, t]));
    for (const id of [short0!, short1!]) {
      expect(tasks.get(id)).toMatchObject({ workerId: doomed.workerId, attempt: 1, history: [] });
    }
    for (const id of [extra0!, extra1!]) {
      expect(tasks.get(id)).toMatchObject({ workerId: survivor.workerId, attempt: 1, history: [] });
    }
    // Handed back: run again on the survivor, the first attempt not charged to the retries.
    for (const id of [long0!, long1!]) {
      expect(tasks.get(id)).toMatchObject({ workerId: survivor.workerId, attempt: 2 });
      expect(tasks.get(id)?.history).toEqual([
        expect.objectContaining({
          attempt: 1,
          workerId: doomed.workerId,
          charged: false,
          reason: expect.stringMatching(
            /released by worker doomed: not finished within the drain grace period/,
          ),
        }),
      ]);
    }
    const { workers } = await getJson<{ workers: Array<{ id: string; draining: boolean }> }>(
      coordinator.url,
      '/api/workers',
      coordinator.adminKey,
    );
    expect(workers.find((w) => w.id === doomed.workerId)?.draining).toBe(true);
    expect(workers.find((w) => w.id === survivor.workerId)?.draining).toBe(false);
    await client.close();
  });

  it('`dtf drain <name>` stops new tasks at once, lets the running one finish, and the worker exits 0', async () => {
    const marker = join(tempDir(), 'go');
    const coordinator = await startCoordinatorProcess(tempDir());
    const worker = await startWorker(coordinator, { name: 'drain-me', slots: 2 });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    const log = eventLog();
    await client.subscribe({ group: 'cli' }, (events) => log.onEvents(events));
    const [running] = await client.submit([untilMarker('running', 'cli', marker)]);
    await log.until((events) => runningOn(events, worker.workerId) === 1);

    const access = ['--coordinator', coordinator.url, '--token', coordinator.adminKey];
    const unknown = spawnDtf(['drain', 'no-such-worker', ...access]);
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/knows no worker with id or name 'no-such-worker'/);

    const forbidden = await fetch(`${coordinator.url}/api/workers/drain-me/drain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coordinator.workerToken}` },
    });
    expect(forbidden.status).toBe(403);

    const drain = spawnDtf(['drain', 'drain-me', '--grace-ms', '20000', ...access]);
    expect(await drain.exited).toBe(0);
    expect(drain.output()).toMatch(
      /draining worker drain-me \(\S+\): no new tasks; 1 running task\(s\) may finish within a grace period of 20000 ms/,
    );
    await worker.waitFor(/draining: 1 running, grace 20 s/);
    const { workers } = await getJson<{ workers: Array<{ id: string; draining: boolean }> }>(
      coordinator.url,
      '/api/workers',
      coordinator.adminKey,
    );
    expect(workers).toEqual([expect.objectContaining({ id: worker.workerId, draining: true })]);

    // A draining worker gets nothing new, though it has a free slot.
    const [later] = await client.submit([
      { kind: 'command', group: 'cli', payload: { command: 'true' } },
    ]);
    const [queued] = await client.query({ taskIds: [later!] });
    expect(queued).toMatchObject({ state: 'queued', attempt: 0 });

    writeFileSync(marker, '');
    expect(await worker.exited).toBe(0);
    // Its drain completed: it is drained, not taken for a lost worker.
    const statusOf = async () => {
      const listed = await getJson<{ workers: Array<{ status: string }> }>(
        coordinator.url,
        '/api/workers',
        coordinator.adminKey,
      );
      return listed.workers[0]!.status;
    };
    await eventually(async () => (await statusOf()) !== 'connected', 'the worker left');
    expect(await statusOf()).toBe('drained');
    const listing = spawnDtf(['workers', ...access]);
    expect(await listing.exited).toBe(0);
    expect(listing.output()).toMatch(/drain-me\s+\S+\s+node\s+drained\s/);
    const [done] = await client.query({ taskIds: [running!] });
    expect(done).toMatchObject({
      state: 'succeeded',
      workerId: worker.workerId,
      attempt: 1,
      history: [],
    });
    await client.close();
  });
  it('a second SIGTERM stops at once, still handing back the running task uncharged', async () => {
    const marker = join(tempDir(), 'go');
    const coordinator = await startCoordinatorProcess(tempDir());
    const impatient = await startWorker(coordinator, { name: 'impatient', slots: 1 });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    const log = eventLog();
    await client.subscribe({ group: 'twice' }, (events) => log.onEvents(events));
    const [id] = await client.submit([longUnlessMarker('long', 'twice', marker)]);
    await log.until((events) => runningOn(events, impatient.workerId) === 1);

    impatient.child.kill('SIGTERM');
    await impatient.waitFor(/draining: 1 running, grace 30 s/);
    impatient.child.kill('SIGTERM');
    expect(await impatient.exited).toBe(143);
    await log.until((events) => events.some((e) => e.taskId === id && e.state === 'queued'));

    writeFileSync(marker, '');
    const other = await startWorker(coordinator, { name: 'other', slots: 1 });
    const [final] = await client.waitFor({ taskIds: [id!] });
    expect(final).toMatchObject({ state: 'succeeded', workerId: other.workerId, attempt: 2 });
    const [task] = await client.query({ taskIds: [id!] });
    expect(task?.history).toEqual([
      expect.objectContaining({
        attempt: 1,
        workerId: impatient.workerId,
        charged: false,
        reason: expect.stringMatching(
          /released by worker impatient: the worker was stopped at once/,
        ),
      }),
    ]);
    await client.close();
  });
});
