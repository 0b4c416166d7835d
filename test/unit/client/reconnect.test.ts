import { describe, expect, it } from 'vitest';
import { DtfClient, type ReconnectEvent } from '../../../client/index.js';
import { CLOSE_NOT_LEADER, type TaskEvent, type TaskSpecInput } from '../../../protocol/index.js';
import { closeAfterEach } from '../../support/close-after-each.js';
import {
  type FakeCoordinator,
  type ReceivedRequest,
  reply,
  startFakeCoordinator,
  subscriptionScript,
} from './fake-coordinator.js';

const echoTask: TaskSpecInput = { kind: 'command', payload: { command: 'echo' } };

function event(taskId: string, state: TaskEvent['state'], at: number): TaskEvent {
  return { taskId, group: 'g', state, attempt: 1, at };
}

/** Resolves with the next reconnect of a client given `onReconnect: reconnects.listener`. */
function reconnectWatch() {
  const seen: ReconnectEvent[] = [];
  let wake: (() => void) | undefined;
  return {
    seen,
    listener: (event: ReconnectEvent) => {
      seen.push(event);
      wake?.();
    },
    next: (count: number) =>
      new Promise<ReconnectEvent>((resolve) => {
        const check = () => {
          if (seen.length >= count) resolve(seen[count - 1]!);
        };
        wake = check;
        check();
      }),
  };
}

/** A coordinator that dies (connections dropped, port closed) when the first request arrives. */
async function dyingCoordinator(): Promise<FakeCoordinator> {
  const fake: FakeCoordinator = await startFakeCoordinator(() => void fake.close());
  return fake;
}

describe('DtfClient reconnecting', () => {
  const opened = closeAfterEach({
    client: (client: DtfClient) => client.close(),
    first: (fake: FakeCoordinator) => fake.close(),
    second: (fake: FakeCoordinator) => fake.close(),
  });

  it('sends an unanswered submit again at the next coordinator, with the same idempotency keys', async () => {
    const first = opened.first(await dyingCoordinator());
    const second = opened.second(
      await startFakeCoordinator((request, socket) => {
        const tasks = request.tasks as unknown[];
        reply(socket, { type: 'submitted', id: request.id, taskIds: tasks.map((_, i) => `t${i}`) });
      }),
    );
    const reconnects = reconnectWatch();
    const client = opened.client(
      await DtfClient.connect({ urls: [first.url, second.url], onReconnect: reconnects.listener }),
    );
    expect(await client.submit([echoTask, { ...echoTask, idempotencyKey: 'mine' }])).toEqual([
      't0',
      't1',
    ]);
    const keys = (request: ReceivedRequest) =>
      (request.tasks as { idempotencyKey?: string }[]).map((task) => task.idempotencyKey);
    expect(first.received).toHaveLength(1);
    const sentFirst = keys(first.received[0]!);
    expect(sentFirst[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sentFirst[1]).toBe('mine');
    expect(keys(second.received[0]!)).toEqual(sentFirst);
    expect(reconnects.seen).toEqual([
      { lostUrl: first.url, url: second.url, cause: expect.any(Error) },
    ]);
    expect(client.url).toBe(second.url);
  });

  it('goes to the leader a follower named when it closed with not_leader', async () => {
    const leader = opened.second(await startFakeCoordinator(subscriptionScript([])));
    const follower = opened.first(
      await startFakeCoordinator((_request, socket) => socket.close(CLOSE_NOT_LEADER, leader.url)),
    );
    const reconnects = reconnectWatch();
    const client = opened.client(
      await DtfClient.connect({ urls: [follower.url], onReconnect: reconnects.listener }),
    );
    await expect(client.waitFor({ group: 'g' })).resolves.toEqual([]);
    expect((await reconnects.next(1)).url).toBe(leader.url);
    expect(follower.connections).toBe(1);
  });

  it('reports a task that ended while the connection was down exactly once', async () => {
    const first = opened.first(
      await startFakeCoordinator((request, socket) => {
        subscriptionScript(
          [event('a', 'running', 1), event('b', 'running', 1)],
          [[event('b', 'succeeded', 2)]],
        )(request, socket);
        // Gone once the events are out: the next subscribe goes to the second coordinator.
        setImmediate(() => void first.close());
      }),
    );
    const second = opened.second(
      await startFakeCoordinator(
        subscriptionScript([event('a', 'succeeded', 3), event('b', 'succeeded', 2)]),
      ),
    );
    const client = opened.client(await DtfClient.connect({ urls: [first.url, second.url] }));
    const seen: string[] = [];
    const final = await client.waitFor(
      { group: 'g' },
      { onEvent: (e) => seen.push(`${e.taskId}:${e.state}`) },
    );
    // Snapshot and first event may come in either order; each end is reported once.
    expect(seen.filter((s) => s.endsWith(':succeeded')).sort()).toEqual([
      'a:succeeded',
      'b:succeeded',
    ]);
    expect(final.map((e) => e.state)).toEqual(['succeeded', 'succeeded']);
    expect(second.received.map((r) => r.type)).toEqual(['subscribe', 'unsubscribe']);
  });

  it('hands a subscription the changes it missed, once, after a reconnect', async () => {
    const first = opened.first(
      await startFakeCoordinator((request, socket) => {
        subscriptionScript([event('a', 'running', 1)], [[event('b', 'succeeded', 2)]])(
          request,
          socket,
        );
        setImmediate(() => void first.close());
      }),
    );
    const second = opened.second(
      await startFakeCoordinator(
        subscriptionScript([event('a', 'succeeded', 3), event('b', 'succeeded', 2)]),
      ),
    );
    const client = opened.client(await DtfClient.connect({ urls: [first.url, second.url] }));
    const handed: TaskEvent[][] = [];
    let resumed: (() => void) | undefined;
    const subscription = await client.subscribe({ group: 'g' }, (events) => {
      handed.push(events);
      if (events.some((e) => e.taskId === 'a')) resumed?.();
    });
    expect(subscription.snapshot).toEqual([event('a', 'running', 1)]);
    await new Promise<void>((resolve) => {
      resumed = resolve;
      if (handed.length === 2) resolve();
    });
    expect(handed).toEqual([[event('b', 'succeeded', 2)], [event('a', 'succeeded', 3)]]);
    await subscription.close();
    expect(second.received.map((r) => r.type)).toEqual(['subscribe', 'unsubscribe']);
  });

  it('sends a submit refused with not_leader again at the leader the follower redirects to', async () => {
    const leader = opened.second(
      await startFakeCoordinator((request, socket) => {
        reply(socket, { type: 'submitted', id: request.id, taskIds: ['t1'] });
      }),
    );
    let stepDown = false;
    const former = opened.first(
      await startFakeCoordinator(
        (request, socket) => {
          stepDown = true;
          reply(socket, {
            type: 'error',
            id: request.id,
            code: 'not_leader',
            message: 'leadership changed before the command was committed',
          });
        },
        { redirect: () => (stepDown ? leader.url : undefined) },
      ),
    );
    const reconnects = reconnectWatch();
    const client = opened.client(
      await DtfClient.connect({ urls: [former.url], onReconnect: reconnects.listener }),
    );
    await expect(client.submit([echoTask])).resolves.toEqual(['t1']);
    const event = await reconnects.next(1);
    expect(event.cause.message).toMatch(/stopped leading: leadership changed/);
    expect(event.url).toBe(leader.url);
  });

  it('gives up after the outage lasts too long, naming the lost connection', async () => {
    const fake = opened.first(await dyingCoordinator());
    const client = opened.client(
      await DtfClient.connect({ urls: [fake.url], reconnect: { giveUpAfterMs: 300 } }),
    );
    const error = await client.query().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^connection to ${fake.url} closed \\(code 1006\\); no coordinator took the connection back within 300 ms; last: could not connect to any coordinator`,
      ),
    );
    await expect(client.query()).rejects.toThrow('no coordinator took the connection back');
  });

  it('stops reconnecting when closed, failing what waited', async () => {
    const fake = opened.first(await dyingCoordinator());
    const client = await DtfClient.connect({ urls: [fake.url] });
    const query = client.query();
    const dropped = query.catch((e: Error) => e);
    // The query reached the coordinator, which died: the client is reconnecting now.
    await new Promise<void>((resolve) => {
      const check = () => (fake.received.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    await client.close();
    expect(((await dropped) as Error).message).toBe(
      `the connection to ${fake.url} was closed by this client`,
    );
  });

  it('drops a coordinator that answers no ping and moves to another', async () => {
    const silent = opened.first(await startFakeCoordinator(() => {}, { autoPong: false }));
    const other = opened.second(
      await startFakeCoordinator((request, socket) => {
        reply(socket, { type: 'tasks', id: request.id, tasks: [] });
      }),
    );
    const reconnects = reconnectWatch();
    const client = opened.client(
      await DtfClient.connect({
        urls: [silent.url, other.url],
        pingIntervalMs: 20,
        onReconnect: reconnects.listener,
      }),
    );
    const event = await reconnects.next(1);
    expect(event.cause.message).toBe(`coordinator at ${silent.url} answered no ping for 60 ms`);
    // The silent one is still there; the client goes down the list and takes the first taker.
    expect(event.url).toBe(silent.url);
    await silent.close();
    await expect(client.query()).resolves.toEqual([]);
  });
});
