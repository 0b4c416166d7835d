import { mix32 } from './hash.js';

/**
 * The set of operations linearized so far, one bit per operation, with a Zobrist hash (the
 * XOR of a fixed random word per member) kept up to date in O(1) per change.
 */
export class Bitset {
  readonly words: Uint32Array;
  hash = 0;

  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1;
  }

  set(index: number): void {
    this.words[index >>> 5]! |= 1 << (index & 31);
    this.hash ^= memberHash(index);
  }

  clear(index: number): void {
    this.words[index >>> 5]! &= ~(1 << (index & 31));
    this.hash ^= memberHash(index);
  }

  /** A copy of the words, for the cache. */
  snapshot(): Uint32Array {
    return this.words.slice();
  }

  equals(words: Uint32Array): boolean {
    const own = this.words;
    for (let i = 0; i < own.length; i++) if (own[i] !== words[i]) return false;
    return true;
  }
}

function memberHash(index: number): number {
  return mix32(Math.imul(index + 1, 0x9e3779b1));
}
