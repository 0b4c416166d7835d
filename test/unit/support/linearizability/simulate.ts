import type { KvInput, KvOutput, KvValue } from '../../../support/linearizability/index.js';
import { type KvOp, Random } from './helpers.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly clients: number;
  readonly operations: number;
  readonly keys: readonly string[];
  /** Chance that a client dies during an operation: it never returns, and took effect or not. */
  readonly crashRate?: number;
  /** Longest time from a call to its linearization point, and from there to the return. */
  readonly maxLatency?: number;
  /** Longest pause of a client between operations. */
  readonly maxThink?: number;
}

interface Planned {
  readonly clientId: string;
  readonly input: KvInput;
  readonly call: number;
  /** The linearization point: when the simulated store applies it. */
  readonly at: number;
  readonly ret: number | undefined;
  readonly takesEffect: boolean;
}

/**
 * A history of a simulated linearizable key-value store: sequential clients invoke random
 * operations (every written value unique), each takes effect at an instant inside its
 * interval, and the outputs are what the store answered at that instant. A client that dies
 * mid-operation is replaced by a fresh one. Linearizable by construction.
 */
export function simulateKv(options: SimulationOptions): KvOp[] {
  const rng = new Random(options.seed);
  const maxLatency = options.maxLatency ?? 10;
  const maxThink = options.maxThink ?? 5;
  const crashRate = options.crashRate ?? 0;
  const clock = Array.from({ length: options.clients }, () => rng.int(0, maxThink));
  const names = Array.from({ length: options.clients }, (_, c) => `c${c}`);
  const incarnations = new Array<number>(options.clients).fill(0);
  let nextValue = 1;
  const planned: Planned[] = [];
  for (let i = 0; i < options.operations; i++) {
    const c = i % options.clients;
    const call = clock[c]! + rng.int(0, maxThink);
    const at = call + rng.int(0, maxLatency);
    const ret = at + rng.int(0, maxLatency);
    const key = rng.pick(options.keys);
    const kind = rng.next();
    const input: KvInput =
      kind < 0.4
        ? { op: 'get', key }
        : kind < 0.8
          ? { op: 'put', key, value: nextValue++ }
          : {
              op: 'cas',
              key,
              expected:
                nextValue === 1 || rng.chance(0.2) ? null : Math.max(1, nextValue - rng.int(1, 3)),
              value: nextValue++,
            };
    if (rng.chance(crashRate)) {
      planned.push({
        clientId: names[c]!,
        input,
        call,
        at,
        ret: undefined,
        takesEffect: rng.chance(0.5),
      });
      names[c] = `c${c}.${++incarnations[c]!}`;
      clock[c] = call + rng.int(0, maxLatency);
    } else {
      planned.push({ clientId: names[c]!, input, call, at, ret, takesEffect: true });
      clock[c] = ret;
    }
  }

  const store = new Map<string, KvValue>();
  const outputs = new Map<Planned, KvOutput>();
  const byInstant = planned
    .filter((p) => p.takesEffect)
    .map((p, index) => ({ p, index }))
    .sort((a, b) => a.p.at - b.p.at || a.index - b.index);
  for (const { p } of byInstant) {
    const current = store.get(p.input.key) ?? null;
    if (p.input.op === 'get') outputs.set(p, current);
    else if (p.input.op === 'put') {
      store.set(p.input.key, p.input.value);
      outputs.set(p, 'ok');
    } else {
      const swapped = current === p.input.expected;
      if (swapped) store.set(p.input.key, p.input.value);
      outputs.set(p, swapped);
    }
  }
  return planned
    .map(
      (p): KvOp =>
        p.ret === undefined
          ? { clientId: p.clientId, input: p.input, call: p.call }
          : {
              clientId: p.clientId,
              input: p.input,
              output: outputs.get(p)!,
              call: p.call,
              return: p.ret,
            },
    )
    .sort((a, b) => a.call - b.call);
}

const returned = (op: KvOp): op is KvOp & { return: number } => op.return !== undefined;

/**
 * Makes one completed read stale in a way no linearization can explain: it now answers a
 * value that was overwritten (by a put that returned before the read was called) before the
 * read began, or the initial `null`. Undefined if the history has no such read.
 */
export function injectStaleRead(history: readonly KvOp[], rng: Random): KvOp[] | undefined {
  const reads = history.filter((op) => op.input.op === 'get' && returned(op));
  const start = rng.int(0, Math.max(0, reads.length - 1));
  for (let i = 0; i < reads.length; i++) {
    const read = reads[(start + i) % reads.length]!;
    const puts = history.filter(
      (op) => op.input.op === 'put' && op.input.key === read.input.key && returned(op),
    );
    const overwriting = puts.filter((w) => w.return! < read.call);
    if (overwriting.length === 0) continue;
    const w = rng.pick(overwriting);
    const older = puts
      .filter((p) => p.return! < w.call)
      .map((p) => (p.input as { value: KvValue }).value);
    const stale: KvValue | null = rng.pick([null, ...older]);
    return history.map((op) => (op === read ? { ...op, output: stale } : op));
  }
  return undefined;
}

/**
 * Removes the write whose value a completed read returned, so that value now comes from
 * nowhere. Undefined if no read returned a written value.
 */
export function dropWrite(history: readonly KvOp[], rng: Random): KvOp[] | undefined {
  const reads = history.filter((op) => op.input.op === 'get' && returned(op) && op.output !== null);
  if (reads.length === 0) return undefined;
  const read = rng.pick(reads);
  const writer = history.find((op) => op.input.op !== 'get' && op.input.value === read.output);
  return history.filter((op) => op !== writer);
}
