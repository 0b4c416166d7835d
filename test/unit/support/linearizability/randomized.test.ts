import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  type KvInput,
  type KvOutput,
  kvModel,
  type Model,
  type Operation,
  type TaskQueueInput,
  type TaskQueueOutput,
  type TaskRead,
  taskQueueModel,
} from '../../../support/linearizability/index.js';
import { bruteForceLinearizable } from './brute-force.js';
import { type KvOp, Random } from './helpers.js';
import { dropWrite, injectStaleRead, simulateKv } from './simulate.js';

/** The kv model without its shortcuts: one partition, no read-only hint. */
const plainKv: Model<Record<string, string | number>, KvInput, KvOutput> = {
  init: kvModel.init,
  step: kvModel.step,
};

/** Changes one operation's answer (or drops it) at random: the result may or may not fit. */
function mutate(history: KvOp[], rng: Random): KvOp[] {
  const target = rng.int(0, history.length - 1);
  return history.flatMap((op, i): KvOp[] => {
    if (i !== target) return [op];
    if (rng.chance(0.2)) return [];
    if (op.return === undefined) return [{ ...op, output: null, return: op.call + rng.int(0, 6) }];
    if (op.input.op === 'cas') return [{ ...op, output: op.output !== true }];
    if (op.input.op === 'get') return [{ ...op, output: rng.pick([null, 1, 2, 3, 4, 5]) }];
    return [{ ...op, call: op.call + rng.int(-3, 3), return: op.return + rng.int(0, 3) }].filter(
      (moved) => moved.return >= moved.call,
    );
  });
}

describe('the checker against brute force on small histories', () => {
  it('agrees on random key-value histories, with and without the shortcuts', () => {
    const rng = new Random(7);
    const verdicts = { linearizable: 0, violation: 0 };
    for (let i = 0; i < 1500; i++) {
      const simulated = simulateKv({
        seed: 1000 + i,
        clients: rng.int(2, 5),
        operations: i % 5 === 0 ? rng.int(12, 24) : rng.int(3, 8),
        keys: rng.chance(0.7) ? ['x'] : ['x', 'y'],
        crashRate: 0.2,
        maxLatency: 4,
        maxThink: 2,
      });
      const history = rng.chance(0.6) ? mutate(simulated, rng) : simulated;
      const expected = bruteForceLinearizable(plainKv, history);
      const full = checkLinearizability(kvModel, history);
      const plain = checkLinearizability(plainKv, history);
      const context = JSON.stringify(history);
      expect(full.ok, context).toBe(expected);
      expect(plain.ok, context).toBe(expected);
      expect(full.verdict, context).not.toBe('unknown');
      verdicts[full.verdict === 'linearizable' ? 'linearizable' : 'violation']++;
    }
    expect(verdicts.linearizable).toBeGreaterThan(250);
    expect(verdicts.violation).toBeGreaterThan(250);
  });

  it('agrees on random task-queue histories', () => {
    const rng = new Random(11);
    const reads: TaskRead[] = [
      { state: 'unknown' },
      { state: 'queued' },
      { state: 'running' },
      { state: 'done', attempt: 1, result: 'succeeded' },
      { state: 'done', attempt: 2, result: 'failed' },
    ];
    const verdicts = { linearizable: 0, violation: 0 };
    for (let i = 0; i < 1500; i++) {
      const history = Array.from(
        { length: rng.int(2, 7) },
        (_, k): Operation<TaskQueueInput, TaskQueueOutput> => {
          const taskId = rng.chance(0.8) ? 'a' : 'b';
          const call = rng.int(0, 12);
          const ret = rng.chance(0.15) ? undefined : call + rng.int(0, 5);
          const kind = rng.next();
          const attempt = rng.int(1, 2);
          const [input, output]: [TaskQueueInput, TaskQueueOutput] =
            kind < 0.3
              ? [{ op: 'submit', taskId }, 'ok']
              : kind < 0.55
                ? [
                    {
                      op: 'complete',
                      taskId,
                      attempt,
                      result: attempt === 1 ? 'succeeded' : 'failed',
                    },
                    rng.chance(0.8) ? 'recorded' : 'rejected',
                  ]
                : [{ op: 'read', taskId }, rng.pick(reads)];
          const clientId = `c${k}`;
          return ret === undefined
            ? { clientId, input, call }
            : { clientId, input, output, call, return: ret };
        },
      );
      const expected = bruteForceLinearizable(taskQueueModel, history);
      const result = checkLinearizability(taskQueueModel, history);
      expect(result.ok, JSON.stringify(history)).toBe(expected);
      verdicts[result.verdict === 'linearizable' ? 'linearizable' : 'violation']++;
    }
    expect(verdicts.linearizable).toBeGreaterThan(200);
    expect(verdicts.violation).toBeGreaterThan(200);
  });
});

describe('the checker on histories of a simulated linearizable store', () => {
  const shapes = [
    { clients: 3, operations: 200, keys: ['x'], crashRate: 0 },
    { clients: 8, operations: 400, keys: ['x'], crashRate: 0.01 },
    { clients: 8, operations: 400, keys: ['x', 'y', 'z'], crashRate: 0.02 },
    { clients: 12, operations: 300, keys: ['x'], crashRate: 0, maxLatency: 20 },
  ];

  it('finds every one linearizable, and every injected fault', () => {
    for (const [s, shape] of shapes.entries()) {
      for (let seed = 1; seed <= 10; seed++) {
        const history = simulateKv({ seed: 100 * s + seed, ...shape });
        const where = `shape ${s}, seed ${seed}`;
        const clean = checkLinearizability(kvModel, history);
        expect(clean.verdict, where).toBe('linearizable');

        const rng = new Random(seed);
        const stale = injectStaleRead(history, rng);
        expect(stale, where).toBeDefined();
        const staleResult = checkLinearizability(kvModel, stale!);
        expect(staleResult.verdict, `${where}, stale read`).toBe('violation');

        const dropped = dropWrite(history, rng);
        expect(dropped, where).toBeDefined();
        expect(checkLinearizability(kvModel, dropped!).verdict, `${where}, dropped write`).toBe(
          'violation',
        );
      }
    }
  });

  it('explains an injected stale read by the read itself', () => {
    const history = simulateKv({ seed: 5, clients: 4, operations: 100, keys: ['x'] });
    const stale = injectStaleRead(history, new Random(5))!;
    const changed = stale.find((op, i) => op !== history[i])!;
    const result = checkLinearizability(kvModel, stale);
    if (result.verdict !== 'violation') throw new Error(result.verdict);
    const { explanation } = result;
    expect(explanation.longestPrefix.length).toBeLessThan(stale.length);
    expect(explanation.unplaced.length).toBeGreaterThan(0);
    expect(explanation.message.split('\n').length).toBeLessThan(30);
    // The stale read is never part of a linearizable prefix that covers its real-time past.
    expect(explanation.longestPrefix.every((op) => op !== changed)).toBe(true);
  });

  it('checks 2,000 operations of 8 clients on one register in well under a second', () => {
    const history = simulateKv({
      seed: 2024,
      clients: 8,
      operations: 2000,
      keys: ['x'],
      crashRate: 0.002,
    });
    const timed = (ops: KvOp[]) => {
      const started = performance.now();
      const result = checkLinearizability(kvModel, ops);
      return { result, ms: performance.now() - started };
    };
    const clean = timed(history);
    expect(clean.result.verdict).toBe('linearizable');
    expect(clean.ms).toBeLessThan(1000);

    const rng = new Random(2024);
    const stale = timed(injectStaleRead(history, rng)!);
    expect(stale.result.verdict).toBe('violation');
    expect(stale.ms).toBeLessThan(1000);
    const dropped = timed(dropWrite(history, rng)!);
    expect(dropped.result.verdict).toBe('violation');
    expect(dropped.ms).toBeLessThan(1000);
  });

  it('checks 20,000 operations of 32 clients over 100 keys, per key, in well under a second', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const history = simulateKv({ seed: 9, clients: 32, operations: 20_000, keys, crashRate: 0.01 });
    const started = performance.now();
    const result = checkLinearizability(kvModel, history);
    expect(result).toMatchObject({ verdict: 'linearizable', stats: { partitions: 100 } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gives up with unknown on a budget, not hanging', () => {
    const history = simulateKv({
      seed: 3,
      clients: 16,
      operations: 2000,
      keys: ['x'],
      maxLatency: 30,
    });
    const stale = injectStaleRead(history, new Random(3))!;
    const result = checkLinearizability(kvModel, stale, { maxSteps: 50_000 });
    expect(result).toMatchObject({ verdict: 'unknown', stats: { steps: 50_001 } });
    let clockReads = 0;
    const now = () => (clockReads++ === 0 ? 0 : 100);
    const timedOut = checkLinearizability(kvModel, stale, { timeoutMs: 10, now });
    expect(timedOut).toMatchObject({ verdict: 'unknown', reason: 'ran out of time' });
    expect(timedOut.stats.steps).toBe(4096);
  });
});
