import { describe, expect, it } from 'vitest';
import { untilAdmitted } from '../../../client/admission-retry.js';
import { CoordinatorError } from '../../../client/index.js';
import { Admission, type AdmissionLimits } from '../../../coordinator/admission.js';

const limits: AdmissionLimits = {
  ratePerKey: 100,
  burstPerKey: 50,
  maxQueuedPerKey: 200,
  maxQueued: 300,
};

function admission(unfinished: Map<string, number> = new Map()) {
  const clock = { ms: 0 };
  const counts = {
    unfinished: () => [...unfinished.values()].reduce((a, b) => a + b, 0),
    unfinishedOf: (owner: string) => unfinished.get(owner) ?? 0,
  };
  return { clock, control: new Admission(limits, counts, () => clock.ms) };
}

describe('admission control', () => {
  it("a managed key's bucket: a burst, then its rate, with the wait it must take named", () => {
    const { clock, control } = admission();
    expect(control.gate('k_a')).toBeUndefined();
    // A batch larger than what is left is taken whole: the key waits out the debt.
    expect(control.admit('k_a', 70)).toBeUndefined();
    control.settle('k_a', 70);
    const refused = control.gate('k_a');
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterMs: 210 });
    expect(refused!.message).toContain('100 tasks per second (--submit-rate)');
    expect(control.admit('k_a', 1)).toMatchObject({ code: 'rate_limited' });
    clock.ms += 210;
    expect(control.gate('k_a')).toBeUndefined();
    // Another key has a bucket of its own; the own admin key has none.
    expect(control.admit('k_b', 50)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(control.admit(undefined, 40)).toBeUndefined();
  });

  it('bounds the unfinished tasks of a key and of all, counting those admitted and not yet committed', () => {
    const unfinished = new Map([['k_a', 150]]);
    const { clock, control } = admission(unfinished);
    expect(control.admit('k_a', 50)).toBeUndefined();
    clock.ms += 10_000;
    // 150 stored and 50 in flight: the key is at its bound.
    const full = control.admit('k_a', 1);
    expect(full).toMatchObject({ code: 'queue_full', retryAfterMs: 1_000 });
    expect(full!.message).toContain('this key has 200 unfinished tasks and may have 200');
    control.settle('k_a', 50);
    unfinished.set('k_a', 200);
    expect(control.admit('k_a', 1)).toMatchObject({ code: 'queue_full' });
    // 200 of k_a's and 100 of the admin key's fill the coordinator.
    expect(control.admit(undefined, 100)).toBeUndefined();
    const all = control.admit('k_b', 1);
    expect(all!.message).toContain('the coordinator holds 300 unfinished tasks and may hold 300');
    // Tasks ending make room.
    unfinished.set('k_a', 100);
    expect(control.admit('k_b', 1)).toBeUndefined();
  });

  it('0 as the rate: no key is rate-limited', () => {
    const control = new Admission(
      { ...limits, ratePerKey: 0 },
      { unfinished: () => 0, unfinishedOf: () => 0 },
    );
    for (let i = 0; i < 10; i++) {
      expect(control.admit('k_a', 100)).toBeUndefined();
      control.settle('k_a', 100);
    }
  });
});

describe("the SDK's wait for admission", () => {
  const refusal = (retryAfterMs: number) =>
    new CoordinatorError('rate_limited', 'slow down', retryAfterMs);

  it('waits each Retry-After (a little more, at random) and sends again until admitted', async () => {
    const waits: number[] = [];
    let tries = 0;
    const reply = await untilAdmitted(
      async () => {
        tries++;
        if (tries < 3) throw refusal(100);
        return 'admitted';
      },
      60_000,
      async (ms) => waits.push(ms),
    );
    expect(reply).toBe('admitted');
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeGreaterThanOrEqual(100);
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(120);
  });

  it('gives up with the refusal past its budget, and never retries another error', async () => {
    await expect(
      untilAdmitted(
        () => Promise.reject(refusal(5_000)),
        1_000,
        async () => {},
      ),
    ).rejects.toMatchObject({ code: 'rate_limited' });
    let tries = 0;
    await expect(
      untilAdmitted(
        () => {
          tries++;
          return Promise.reject(new CoordinatorError('forbidden', 'no'));
        },
        60_000,
        async () => {},
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(tries).toBe(1);
  });
});
