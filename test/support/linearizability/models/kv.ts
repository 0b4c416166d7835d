import { hashString, mix32 } from '../hash.js';
import { partitionBy } from '../partition.js';
import type { Model } from '../types.js';

/**
 * A linearizable key-value store of registers: `get`, `put` and compare-and-set. Every key
 * starts absent (`null`). Keys are independent, so histories are checked per key.
 */
export type KvValue = string | number;

export type KvInput =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put'; readonly key: string; readonly value: KvValue }
  | {
      readonly op: 'cas';
      readonly key: string;
      readonly expected: KvValue | null;
      readonly value: KvValue;
    };

/** `get`: the value read (`null`: absent); `put`: `'ok'`; `cas`: whether it swapped. */
export type KvOutput = KvValue | boolean | null;

/** Key → value; a key that is absent has never been written. */
export type KvState = Readonly<Record<string, KvValue>>;

function read(state: KvState, key: string): KvValue | null {
  return Object.hasOwn(state, key) ? state[key]! : null;
}

function write(state: KvState, key: string, value: KvValue): KvState {
  return { ...state, [key]: value };
}

function describeState(state: KvState): string {
  const keys = Object.keys(state).sort();
  return `{${keys.map((key) => `${key}=${JSON.stringify(state[key])}`).join(', ')}}`;
}

/** Order-independent: a sum over the keys, so no sorting. */
function hash(state: KvState): number {
  let sum = 0;
  for (const key in state) {
    const value = state[key]!;
    const valueHash = typeof value === 'number' ? mix32(value) : hashString(value) + 1;
    sum = (sum + mix32(hashString(key) ^ valueHash)) | 0;
  }
  return sum;
}

function equal(a: KvState, b: KvState): boolean {
  let count = 0;
  for (const key in a) {
    if (b[key] !== a[key]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => ({}),
  step(state, input, output) {
    const current = read(state, input.key);
    switch (input.op) {
      case 'get':
        return { ok: output === undefined || output === current, state };
      case 'put':
        return {
          ok: output === undefined || output === 'ok',
          state: write(state, input.key, input.value),
        };
      case 'cas': {
        const swapped = current === input.expected;
        return {
          ok: output === undefined || output === swapped,
          state: swapped ? write(state, input.key, input.value) : state,
        };
      }
    }
  },
  partition: partitionBy((input) => input.key),
  hash,
  equal,
  readOnly: (input, output) => input.op === 'get' || (input.op === 'cas' && output === false),
  describe(input, output) {
    const out = output === undefined ? '?' : JSON.stringify(output);
    switch (input.op) {
      case 'get':
        return `get(${input.key}) → ${out}`;
      case 'put':
        return `put(${input.key}, ${JSON.stringify(input.value)}) → ${output === undefined ? '?' : output}`;
      case 'cas':
        return `cas(${input.key}, ${JSON.stringify(input.expected)}, ${JSON.stringify(input.value)}) → ${out}`;
    }
  },
  describeState,
};
