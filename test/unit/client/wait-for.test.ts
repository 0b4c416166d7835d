import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../../client/index.js';
import type { TaskEvent } from '../../../protocol/index.js';
import { closeAfterEach } from '../../support/close-after-each.js';
import {
  type FakeCoordinator,
  startFakeCoordinator,
  subscriptionScript,
} from './fake-coordinator.js';

function event(taskId: string, state: TaskEvent['state'], at: number, attempt = 1): TaskEvent {
  return { taskId, group: 'g', state, attempt, at };
}

describe('DtfClient.waitFor', () => {
  const opened = closeAfterEach({
    client: (client: DtfClient) => client.close(),
    fake: (fake: FakeCoordinator) => fake.close(),
  });

  it('waits for every task of a group, including tasks that appear after the snapshot', async () => {
    const fake = opened.fake(
      await startFakeCoordinator(
        subscriptionScript(
          [event('a', 'queued', 1), event('b', 'running', 2)],
          [
            [event('b', 'succeeded', 3), event('c', 'queued', 3)],
            [event('a', 'succeeded', 4)],
            [event('c', 'running', 5)],
            [event('c', 'failed', 6)],
          ],
        ),
      ),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const seen: string[] = [];
    const final = await client.waitFor(
      { group: 'g' },
      { onEvent: (e, progress) => seen.push(`${e.taskId}:${e.state}:${progress.total}`) },
    );
    expect(final.map((e) => [e.taskId, e.state]).sort()).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'failed'],
    ]);
    expect(seen).toContain('c:failed:3');
    expect(fake.received.map((r) => r.type)).toEqual(['subscribe', 'unsubscribe']);
  });

  it('reports progress only once the set is known: the first call counts every task', async () => {
    const snapshot = Array.from({ length: 13 }, (_, i) => event(`t${i}`, 'queued', 1));
    const ends = snapshot.map((e) => [event(e.taskId, 'succeeded', 2)]);
    const fake = opened.fake(await startFakeCoordinator(subscriptionScript(snapshot, ends)));
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const lines: string[] = [];
    await client.waitFor(
      { group: 'g' },
      {
        onEvent: (_e, progress) =>
          lines.push(`${progress.countsByState().succeeded}/${progress.total}`),
      },
    );
    expect(lines[0]).toMatch(/^\d+\/13$/);
    expect(lines.every((line) => line.endsWith('/13'))).toBe(true);
    expect(lines.at(-1)).toBe('13/13');
  });

  it('does not let an older snapshot undo events that arrived before it was read', async () => {
    const fake = opened.fake(
      await startFakeCoordinator(
        subscriptionScript([event('a', 'running', 1)], [[event('a', 'succeeded', 2)]]),
      ),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    const final = await client.waitFor({ taskIds: ['a'] });
    expect(final).toEqual([event('a', 'succeeded', 2)]);
  });

  it('resolves at once for a group that has no tasks', async () => {
    const fake = opened.fake(await startFakeCoordinator(subscriptionScript([], [])));
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    await expect(client.waitFor({ group: 'empty' })).resolves.toEqual([]);
  });

  it('rejects when a selected task id is unknown to the coordinator', async () => {
    const fake = opened.fake(
      await startFakeCoordinator(subscriptionScript([event('a', 'succeeded', 1)], [])),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url] }));
    await expect(client.waitFor({ taskIds: ['a', 'ghost'] })).rejects.toThrow(
      'no such task: ghost',
    );
  });

  it('rejects when the connection closes before the tasks end and reconnecting is off', async () => {
    const subscribe = subscriptionScript([event('a', 'running', 1)], []);
    const fake = opened.fake(
      await startFakeCoordinator((request, socket) => {
        subscribe(request, socket);
        socket.close(1001, 'going away');
      }),
    );
    const client = opened.client(await DtfClient.connect({ urls: [fake.url], reconnect: false }));
    await expect(client.waitFor({ group: 'g' })).rejects.toThrow('closed (code 1001, going away)');
  });
});
