import type { Bitset } from './bitset.js';
import { mix32 } from './hash.js';

/**
 * Lowe's memoization of the configurations the search reached: (operations linearized, model
 * state). Reaching a configuration again cannot lead anywhere new, so the search prunes it.
 *
 * The linearized set is kept as two bitsets: operations that returned, and operations that
 * never did (which are optional). A configuration is also pruned when one already fully
 * explored has the same returned operations and state and a subset of its optional ones: that
 * one could do everything this one can (the extra optional operations can always be left
 * out), and it failed. Configurations still on the search path are only matched exactly, so
 * pruning never relies on a search that has not finished.
 *
 * Configurations are grouped by (returned set, state), each group listing the optional sets
 * seen with it; bitsets live in one growing word arena rather than an array each.
 */
export class ConfigurationCache<S> {
  /** Hash of (returned set, state) → the newest group with it; groups chain to older ones. */
  private readonly heads = new Map<number, number>();
  private readonly groupChain: number[] = [];
  private readonly groupReturned: number[] = [];
  private readonly groupState: S[] = [];
  private readonly groupMembers: number[][] = [];
  private readonly optionalAt: number[] = [];
  private readonly onPath: boolean[] = [];
  private arena: Uint32Array;
  private used = 0;

  constructor(
    private readonly hashState: (state: S) => number,
    private readonly equal: (a: S, b: S) => boolean,
    private readonly returnedWords: number,
    private readonly optionalWords: number,
  ) {
    this.arena = new Uint32Array(Math.max(1024, 64 * (returnedWords + optionalWords)));
  }

  /** Configurations recorded. */
  get size(): number {
    return this.onPath.length;
  }

  /**
   * Records the configuration and marks it as on the search path; returns its id, or -1 if
   * an equal or dominating configuration was seen before (prune it).
   */
  visit(returned: Bitset, optional: Bitset, state: S): number {
    const key = (returned.hash ^ mix32(this.hashState(state) + 0x632be5ab)) | 0;
    const head = this.heads.get(key) ?? -1;
    let group = head;
    while (
      group !== -1 &&
      !(
        this.sameWords(this.groupReturned[group]!, returned.words) &&
        this.equal(this.groupState[group]!, state)
      )
    ) {
      group = this.groupChain[group]!;
    }
    if (group === -1) {
      group = this.groupState.length;
      this.groupChain.push(head);
      this.heads.set(key, group);
      this.groupReturned.push(this.store(returned.words));
      this.groupState.push(state);
      this.groupMembers.push([]);
    } else {
      for (const id of this.groupMembers[group]!) {
        const relation = this.compare(this.optionalAt[id]!, optional.words);
        if (relation === EQUAL || (relation === SUBSET && !this.onPath[id])) return -1;
      }
    }
    const id = this.onPath.length;
    this.groupMembers[group]!.push(id);
    this.optionalAt.push(this.store(optional.words));
    this.onPath.push(true);
    return id;
  }

  /** The search backtracked out of configuration `id`: it is fully explored. */
  leave(id: number): void {
    this.onPath[id] = false;
  }

  private store(words: Uint32Array): number {
    if (this.used + words.length > this.arena.length) {
      const grown = new Uint32Array(Math.max(this.arena.length * 2, this.used + words.length));
      grown.set(this.arena);
      this.arena = grown;
    }
    const offset = this.used;
    this.arena.set(words, offset);
    this.used += words.length;
    return offset;
  }

  private sameWords(offset: number, words: Uint32Array): boolean {
    const arena = this.arena;
    for (let i = 0; i < this.returnedWords; i++) if (arena[offset + i] !== words[i]) return false;
    return true;
  }

  /** How the stored optional set at `offset` relates to `words`. */
  private compare(offset: number, words: Uint32Array): number {
    const arena = this.arena;
    let relation = EQUAL;
    for (let i = 0; i < this.optionalWords; i++) {
      const stored = arena[offset + i]!;
      const word = words[i]!;
      if ((stored & ~word) !== 0) return OTHER;
      if (stored !== word) relation = SUBSET;
    }
    return relation;
  }
}

const EQUAL = 0;
const SUBSET = 1;
const OTHER = 2;
