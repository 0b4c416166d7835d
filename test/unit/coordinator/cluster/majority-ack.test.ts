import { describe, expect, it } from 'vitest';
import { awaitAcks, MajorityUnreachable } from '../../../../coordinator/cluster/majority-ack.js';

/** A peer whose push the test settles by hand. */
function peer(name: string) {
  let settle: { ok: () => void; fail: (error: Error) => void } | undefined;
  let signal: AbortSignal | undefined;
  return {
    name,
    attempt: {
      peer: name,
      run: (s: AbortSignal) => {
        signal = s;
        return new Promise<void>((ok, fail) => {
          settle = { ok, fail };
        });
      },
    },
    ok: () => settle!.ok(),
    fail: (reason: string) => settle!.fail(new Error(reason)),
    aborted: () => signal?.aborted ?? false,
  };
}

describe('awaitAcks', () => {
  it('resolves once enough peers have acknowledged, while the others go on in the background', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(peer);
    const settled: string[] = [];
    const acks = awaitAcks(
      [a!, b!, c!, d!].map((p) => p.attempt),
      2,
      (p, error) => settled.push(`${p}:${error?.message ?? 'ok'}`),
    );
    let resolved: string[] | undefined;
    void acks.then((peers) => {
      resolved = peers;
    });
    b!.ok();
    a!.fail('disk full');
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBeUndefined();
    d!.ok();
    expect(await acks).toEqual(['b', 'd']);
    c!.ok();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual(['b:ok', 'a:disk full', 'd:ok', 'c:ok']);
    expect(c!.aborted()).toBe(false);
  });

  it('rejects once too many failed for the majority, naming every reason', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(peer);
    const acks = awaitAcks(
      [a!, b!, c!, d!].map((p) => p.attempt),
      2,
    );
    a!.fail('connection refused');
    b!.ok();
    c!.fail('HTTP 400: the bytes received hash to sha256:00, not sha256:11');
    d!.fail('no progress for 30000 ms');
    const error = await acks.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MajorityUnreachable);
    expect((error as Error).message).toBe(
      'a majority needs 2 other members to store it, and 3 of 4 could not (a: connection refused; c: HTTP 400: the bytes received hash to sha256:00, not sha256:11; d: no progress for 30000 ms)',
    );
  });

  it('names the reasons in the order of the members, whatever order the failures came in', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map(peer);
    const acks = awaitAcks([a!.attempt, b!.attempt, c!.attempt], 2);
    c!.fail('disk full');
    b!.fail('connection refused');
    const error = await acks.catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'a majority needs 2 other members to store it, and 2 of 3 could not (b: connection refused; c: disk full)',
    );
  });

  it('aborts the attempts still running when the majority is out of reach', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map(peer);
    const acks = awaitAcks([a!.attempt, b!.attempt, c!.attempt], 2);
    a!.fail('down');
    b!.fail('down');
    await expect(acks).rejects.toBeInstanceOf(MajorityUnreachable);
    expect(c!.aborted()).toBe(true);
  });

  it('needs nobody when this member alone is the majority', async () => {
    expect(await awaitAcks([], 0)).toEqual([]);
  });
});
