import type {
  KvInput,
  KvOutput,
  KvValue,
  Operation,
} from '../../../support/linearizability/index.js';

export type KvOp = Operation<KvInput, KvOutput>;

/** `get(key) → value` by `client` over [call, ret]; `ret` undefined: it never returned. */
export function get(
  client: string | number,
  key: string,
  value: KvValue | null,
  call: number,
  ret?: number,
): KvOp {
  return op(client, { op: 'get', key }, value, call, ret);
}

export function put(
  client: string | number,
  key: string,
  value: KvValue,
  call: number,
  ret?: number,
): KvOp {
  return op(client, { op: 'put', key, value }, 'ok', call, ret);
}

export function cas(
  client: string | number,
  key: string,
  expected: KvValue | null,
  value: KvValue,
  swapped: boolean,
  call: number,
  ret?: number,
): KvOp {
  return op(client, { op: 'cas', key, expected, value }, swapped, call, ret);
}

function op(
  clientId: string | number,
  input: KvInput,
  output: KvOutput,
  call: number,
  ret: number | undefined,
): KvOp {
  return ret === undefined
    ? { clientId, input, call }
    : { clientId, input, output, call, return: ret };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export class Random {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}
