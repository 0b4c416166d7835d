import { describe, expect, it } from 'vitest';
import {
  type CheckResult,
  checkLinearizability,
  type History,
  type KvInput,
  type KvOutput,
  kvModel,
  type Model,
} from '../../../support/linearizability/index.js';
import { cas, get, type KvOp, put } from './helpers.js';

function check(history: KvOp[]): CheckResult<KvInput, KvOutput> {
  return checkLinearizability(kvModel, history);
}

function violation(history: KvOp[]) {
  const result = check(history);
  if (result.verdict !== 'violation')
    throw new Error(`expected a violation, got ${result.verdict}`);
  return result.explanation;
}

describe('checkLinearizability on a key-value register', () => {
  it('accepts the empty history and sequential histories', () => {
    expect(check([])).toMatchObject({ ok: true, verdict: 'linearizable' });
    expect(
      check([get('a', 'x', null, 0, 1), put('a', 'x', 1, 2, 3), get('b', 'x', 1, 4, 5)]).ok,
    ).toBe(true);
  });

  it('finds a stale read after two sequential writes', () => {
    const explanation = violation([
      put('a', 'x', 1, 0, 1),
      put('a', 'x', 2, 2, 3),
      get('b', 'x', 1, 4, 5),
    ]);
    expect(explanation.longestPrefix.map((op) => op.input)).toEqual([
      { op: 'put', key: 'x', value: 1 },
      { op: 'put', key: 'x', value: 2 },
    ]);
    expect(explanation.stateAfterPrefix).toBe('{x=2}');
    expect(explanation.unplaced).toEqual([
      { operation: get('b', 'x', 1, 4, 5), reason: 'rejected' },
    ]);
    expect(explanation.message).toContain('client b: get(x) → 1 [4, 5]: not allowed in this state');
  });

  it('finds a lost write: an acknowledged put that a later read does not see', () => {
    expect(check([put('a', 'x', 1, 0, 1), get('b', 'x', null, 2, 3)]).ok).toBe(false);
  });

  it('lets a read concurrent with a write see either value', () => {
    expect(check([put('a', 'x', 1, 0, 10), get('b', 'x', 1, 2, 3)]).ok).toBe(true);
    expect(check([put('a', 'x', 1, 0, 10), get('b', 'x', null, 2, 3)]).ok).toBe(true);
    expect(check([get('b', 'x', 1, 0, 10), put('a', 'x', 1, 2, 3)]).ok).toBe(true);
  });

  it('finds a read that sees a value and a later read that sees the older one', () => {
    const newThenOld = [put('a', 'x', 1, 0, 10), get('b', 'x', 1, 1, 2), get('c', 'x', null, 3, 4)];
    const explanation = violation(newThenOld);
    expect(explanation.longestPrefix).toHaveLength(2);
    expect(explanation.unplaced).toEqual([
      { operation: get('c', 'x', null, 3, 4), reason: 'rejected' },
    ]);
    // The other order is fine: the write took effect between the reads.
    expect(
      check([put('a', 'x', 1, 0, 10), get('b', 'x', null, 1, 2), get('c', 'x', 1, 3, 4)]).ok,
    ).toBe(true);
  });

  it('orders overlapping writes by what the reads saw', () => {
    const writes = [put('a', 'x', 1, 0, 10), put('b', 'x', 2, 0, 10)];
    expect(check([...writes, get('c', 'x', 1, 11, 12), get('d', 'x', 1, 13, 14)]).ok).toBe(true);
    expect(check([...writes, get('c', 'x', 2, 11, 12), get('d', 'x', 2, 13, 14)]).ok).toBe(true);
    // Both writes returned before both reads: the reads must agree.
    expect(check([...writes, get('c', 'x', 1, 11, 12), get('d', 'x', 2, 13, 14)]).ok).toBe(false);
    // Concurrent reads may straddle the second write, but then cannot go back.
    expect(
      check([...writes, get('c', 'x', 1, 5, 6), get('d', 'x', 2, 7, 8), get('e', 'x', 2, 11, 12)])
        .ok,
    ).toBe(true);
    expect(
      check([...writes, get('c', 'x', 1, 5, 6), get('d', 'x', 2, 7, 8), get('e', 'x', 1, 11, 12)])
        .ok,
    ).toBe(false);
  });

  it('counts operations that only touch as concurrent', () => {
    expect(check([put('a', 'x', 1, 0, 5), get('b', 'x', null, 5, 6)]).ok).toBe(true);
    expect(check([put('a', 'x', 1, 0, 5), get('b', 'x', null, 6, 7)]).ok).toBe(false);
  });

  it('checks compare-and-set', () => {
    const base = put('a', 'x', 0, 0, 1);
    expect(
      check([base, cas('b', 'x', 0, 1, true, 2, 5), cas('c', 'x', 0, 2, false, 3, 6)]).ok,
    ).toBe(true);
    // Two swaps from the same expected value cannot both succeed.
    expect(check([base, cas('b', 'x', 0, 1, true, 2, 5), cas('c', 'x', 0, 2, true, 3, 6)]).ok).toBe(
      false,
    );
    // Chained swaps succeed in one order only.
    expect(
      check([
        base,
        cas('b', 'x', 1, 2, true, 2, 5),
        cas('c', 'x', 0, 1, true, 3, 6),
        get('d', 'x', 2, 7, 8),
      ]).ok,
    ).toBe(true);
    expect(check([base, cas('b', 'x', 0, 1, false, 2, 3)]).ok).toBe(false);
  });

  describe('operations that never returned', () => {
    const crashed = put('a', 'x', 1, 0);

    it('may have taken effect, at any time after their call', () => {
      expect(check([crashed, get('b', 'x', 1, 5, 6)]).ok).toBe(true);
      expect(check([crashed, get('b', 'x', null, 5, 6), get('b', 'x', 1, 100, 101)]).ok).toBe(true);
    });

    it('may have had no effect at all', () => {
      expect(check([crashed, get('b', 'x', null, 5, 6)]).ok).toBe(true);
      expect(check([crashed, get('b', 'x', null, 5, 6), put('c', 'x', 2, 7, 8)]).ok).toBe(true);
    });

    it('still take effect once: no going back after a read saw them', () => {
      expect(check([crashed, get('b', 'x', 1, 5, 6), get('b', 'x', null, 7, 8)]).ok).toBe(false);
    });

    it('cannot take effect before they were called', () => {
      expect(check([get('b', 'x', 1, 0, 1), put('a', 'x', 1, 2)]).ok).toBe(false);
    });

    it('treat Infinity as no return, and drop reads that never returned', () => {
      const result = check([
        { ...put('a', 'x', 1, 0), return: Number.POSITIVE_INFINITY, output: 'ok' },
        get('b', 'x', 1, 5, 6),
        { ...get('c', 'x', 7, 1), output: 7 },
      ]);
      expect(result).toMatchObject({ ok: true, stats: { operations: 2 } });
    });

    it('apply a compare-and-set the way the state decides', () => {
      const history = [put('a', 'x', 0, 0, 1), cas('b', 'x', 0, 1, true, 2)];
      expect(check([...history, get('c', 'x', 1, 5, 6)]).ok).toBe(true);
      expect(check([...history, get('c', 'x', 0, 5, 6)]).ok).toBe(true);
      expect(
        check([put('a', 'x', 5, 0, 1), cas('b', 'x', 0, 1, true, 2), get('c', 'x', 1, 5, 6)]).ok,
      ).toBe(false);
    });
  });

  describe('P-compositionality', () => {
    const history = [
      put('a', 'x', 1, 0, 1),
      put('a', 'y', 1, 2, 3),
      get('b', 'x', 1, 4, 5),
      put('c', 'y', 2, 4, 5),
      get('b', 'y', 1, 6, 7),
    ];

    it('checks each key on its own and explains the one that fails', () => {
      const result = checkLinearizability(kvModel, history);
      expect(result.stats).toMatchObject({ partitions: 2, operations: 5 });
      if (result.verdict !== 'violation') throw new Error(result.verdict);
      expect(result.explanation.partitionIndex).toBe(1);
      expect(result.explanation.operations.every((op) => op.input.key === 'y')).toBe(true);
      expect(result.explanation.message).toMatch(
        /^not linearizable: partition 2 of 2 \(3 operations\)/,
      );
    });

    it('agrees with checking the whole history as one object', () => {
      const unpartitioned = { ...kvModel };
      delete unpartitioned.partition;
      expect(checkLinearizability(unpartitioned, history)).toMatchObject({
        ok: false,
        stats: { partitions: 1 },
      });
      const fixed = history.map((op, i) => (i === 4 ? get('b', 'y', 2, 6, 7) : op));
      expect(checkLinearizability(unpartitioned, fixed).ok).toBe(true);
      expect(checkLinearizability(kvModel, fixed).ok).toBe(true);
    });
  });

  it('answers unknown when the step budget or the time runs out', () => {
    const history = [put('a', 'x', 1, 0, 10), put('b', 'x', 2, 0, 10), get('c', 'x', 2, 11, 12)];
    expect(checkLinearizability(kvModel, history, { maxSteps: 1 })).toMatchObject({
      ok: false,
      verdict: 'unknown',
      partitionIndex: 0,
      reason: 'gave up after 1 model steps',
    });
    expect(checkLinearizability(kvModel, history, { maxSteps: 100 }).ok).toBe(true);
  });

  it('rejects malformed operations', () => {
    expect(() => check([put('a', 'x', 1, 5, 4)])).toThrow(/returned at 4, before its call at 5/);
    expect(() => check([put('a', 'x', 1, Number.NaN, 4)])).toThrow(/call time NaN/);
  });
});

/** A FIFO queue with array states: exercises the default state hash and equality. */
type QueueInput = { op: 'enqueue'; value: number } | { op: 'dequeue' };
const queueModel: Model<readonly number[], QueueInput, number | null | 'ok'> = {
  init: () => [],
  step(state, input, output) {
    if (input.op === 'enqueue') {
      return { ok: output === undefined || output === 'ok', state: [...state, input.value] };
    }
    const head = state[0] ?? null;
    return { ok: output === undefined || output === head, state: state.slice(1) };
  },
};

describe('checkLinearizability with a model that relies on the defaults', () => {
  const enqueue = (c: string, value: number, call: number, ret: number) => ({
    clientId: c,
    input: { op: 'enqueue', value } as const,
    output: 'ok' as const,
    call,
    return: ret,
  });
  const dequeue = (c: string, value: number | null, call: number, ret: number) => ({
    clientId: c,
    input: { op: 'dequeue' } as const,
    output: value,
    call,
    return: ret,
  });

  it('accepts FIFO orders that concurrency allows and rejects the others', () => {
    const concurrent: History<QueueInput, number | null | 'ok'> = [
      enqueue('a', 1, 0, 10),
      enqueue('b', 2, 0, 10),
      dequeue('c', 2, 11, 12),
      dequeue('c', 1, 13, 14),
    ];
    expect(checkLinearizability(queueModel, concurrent).ok).toBe(true);
    const sequential = [
      enqueue('a', 1, 0, 1),
      enqueue('b', 2, 2, 3),
      dequeue('c', 2, 4, 5),
      dequeue('c', 1, 6, 7),
    ];
    const result = checkLinearizability(queueModel, sequential);
    expect(result.verdict).toBe('violation');
    if (result.verdict === 'violation') expect(result.explanation.stateAfterPrefix).toBe('[1,2]');
  });

  it('prunes configurations it has seen, with the default state hash and equality', () => {
    // 14 concurrent enqueues of one value, then one dequeue too many: refuting it means
    // trying every order of the enqueues (14! of them) unless equal configurations (the
    // same set of enqueues done, the same queue) are pruned, leaving 2^14.
    const history = [
      ...Array.from({ length: 14 }, (_, i) => enqueue(`c${i}`, 7, 0, 100)),
      ...Array.from({ length: 15 }, (_, i) => dequeue('d', 7, 101 + 2 * i, 102 + 2 * i)),
    ];
    const result = checkLinearizability(queueModel, history);
    expect(result.verdict).toBe('violation');
    expect(result.stats.steps).toBeLessThan(300_000);
    if (result.verdict === 'violation') {
      expect(result.explanation.longestPrefix).toHaveLength(28);
      expect(result.explanation.stateAfterPrefix).toBe('[]');
    }
  });
});

describe('checkLinearizability with a model whose operations change the state only sometimes', () => {
  /** A counter: `bump` adds one unless it is zero, `set` sets it, `get` reads it. */
  type CounterInput = { op: 'bump' } | { op: 'set'; value: number } | { op: 'get' };
  const counter: Model<number, CounterInput, number | 'ok'> = {
    init: () => 0,
    step(state, input, output) {
      if (input.op === 'get') return { ok: output === undefined || output === state, state };
      const next = input.op === 'set' ? input.value : state === 0 ? 0 : state + 1;
      return { ok: output === undefined || output === 'ok', state: next };
    },
    readOnly: (input) => input.op === 'get',
  };
  const op = (
    clientId: string,
    input: CounterInput,
    output: number | 'ok',
    call: number,
    ret: number,
  ) => ({
    clientId,
    input,
    output,
    call,
    return: ret,
  });

  it('does not commit to an operation just because it changed nothing where it was tried', () => {
    // `bump` fits first and changes nothing at 0; the only linearization puts it after `set`.
    const history = [
      op('a', { op: 'bump' }, 'ok', 0, 10),
      op('b', { op: 'set', value: 1 }, 'ok', 0, 10),
      op('c', { op: 'get' }, 2, 11, 12),
    ];
    expect(checkLinearizability(counter, history).ok).toBe(true);
    expect(checkLinearizability(counter, [...history, op('c', { op: 'get' }, 1, 13, 14)]).ok).toBe(
      false,
    );
  });
});
