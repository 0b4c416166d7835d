import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../../worker-core/index.js';

class FakeSession {
  released = false;
  constructor(readonly name: string) {}
  async release(): Promise<void> {
    this.released = true;
  }
}

/** A cache whose sessions are named after their key, `bytes` model bytes each. */
function cache(limits: { maxSessions: number; maxBytes: number }, bytes = 10) {
  const sessions = new SessionCache<FakeSession>(limits);
  const made: FakeSession[] = [];
  const use = (key: string) =>
    sessions.use(
      key,
      async () => {
        const session = new FakeSession(key);
        made.push(session);
        return { session, bytes };
      },
      async (session, reused) => ({ session, reused }),
    );
  return { sessions, made, use };
}

describe('the session cache', () => {
  it('creates a session once per key and reuses it', async () => {
    const { made, use } = cache({ maxSessions: 4, maxBytes: 1_000 });
    expect((await use('a')).reused).toBe(false);
    const again = await use('a');
    expect(again.reused).toBe(true);
    expect(again.session).toBe(made[0]);
    expect(made.map((s) => s.name)).toEqual(['a']);
  });

  it('creates once for callers that ask at the same time', async () => {
    const { made, use } = cache({ maxSessions: 4, maxBytes: 1_000 });
    const [first, second] = await Promise.all([use('a'), use('a')]);
    expect(made).toHaveLength(1);
    expect([first.reused, second.reused]).toEqual([false, true]);
  });

  it('releases the least recently used session past the count, never the newest', async () => {
    const { sessions, made, use } = cache({ maxSessions: 2, maxBytes: 1_000 });
    await use('a');
    await use('b');
    await use('a');
    await use('c');
    await Promise.resolve();
    expect(made.map((s) => [s.name, s.released])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ]);
    expect(sessions.size).toBe(2);
    expect((await use('b')).reused).toBe(false);
  });

  it('keeps the model bytes within bounds, but always the session just used', async () => {
    const { sessions, made, use } = cache({ maxSessions: 8, maxBytes: 15 });
    await use('a');
    await use('b');
    await Promise.resolve();
    expect(made.map((s) => s.released)).toEqual([true, false]);
    expect(sessions.size).toBe(1);
  });

  it('never releases a session in use, and runs one thing at a time on each', async () => {
    const sessions = new SessionCache<FakeSession>({ maxSessions: 1, maxBytes: 1_000 });
    const made = new FakeSession('a');
    const order: string[] = [];
    let finishFirst!: () => void;
    const first = sessions.use(
      'a',
      async () => ({ session: made, bytes: 1 }),
      async () => {
        order.push('first starts');
        await new Promise<void>((resolve) => {
          finishFirst = resolve;
        });
        order.push('first ends');
      },
    );
    const second = sessions.use(
      'a',
      async () => ({ session: new FakeSession('unused'), bytes: 1 }),
      async () => {
        order.push('second runs');
      },
    );
    await sessions.use(
      'b',
      async () => ({ session: new FakeSession('b'), bytes: 1 }),
      async () => {},
    );
    expect(made.released).toBe(false);
    finishFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second runs']);
  });

  it('does not keep a session that failed to be created: the next call tries again', async () => {
    const sessions = new SessionCache<FakeSession>({ maxSessions: 4, maxBytes: 1_000 });
    const failing = sessions.use(
      'a',
      async () => {
        throw new Error('bad model');
      },
      async () => 'ran',
    );
    await expect(failing).rejects.toThrow('bad model');
    const retried = await sessions.use(
      'a',
      async () => ({ session: new FakeSession('a'), bytes: 1 }),
      async (_, reused) => reused,
    );
    expect(retried).toBe(false);
  });
});
