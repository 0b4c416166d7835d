import type { Operation } from './types.js';

/** Whether the operation returned (an operation without a finite return time never did). */
export function returned(operation: Operation<unknown, unknown>): boolean {
  return operation.return !== undefined && Number.isFinite(operation.return);
}

/**
 * The events of a partition as doubly linked lists over typed arrays (Wing & Gong's history
 * list), for operations numbered so that the `returnedCount` that returned come first.
 *
 * - The main list holds the call and return entries of the operations that returned, in time
 *   order; at equal times calls come before returns, so operations that merely touch count as
 *   concurrent (the permissive reading, as porcupine's). Operation `k` has call entry `k` and
 *   return entry `n + k`.
 * - The optional list holds the call entries of the operations that never returned, by call
 *   time. Nothing forces them to be linearized, so they have no return entry.
 *
 * Linearizing an operation lifts its entries out of their list; backtracking puts them back in
 * LIFO order (dancing links), in O(1) each.
 */
export class EventList {
  static readonly NIL = -1;
  readonly mainHead: number;
  readonly optionalHead: number;
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly n: number;

  constructor(operations: readonly Operation<unknown, unknown>[], returnedCount: number) {
    const n = operations.length;
    this.n = n;
    this.mainHead = 2 * n;
    this.optionalHead = 2 * n + 1;
    this.next = new Int32Array(2 * n + 2).fill(EventList.NIL);
    this.prev = new Int32Array(2 * n + 2).fill(EventList.NIL);
    const main: number[] = [];
    for (let k = 0; k < returnedCount; k++) main.push(k, n + k);
    const time = (entry: number) =>
      entry < n ? operations[entry]!.call : operations[entry - n]!.return!;
    main.sort((a, b) => time(a) - time(b) || Number(a >= n) - Number(b >= n) || a - b);
    this.link(this.mainHead, main);
    const optional: number[] = [];
    for (let k = returnedCount; k < n; k++) optional.push(k);
    optional.sort((a, b) => time(a) - time(b) || a - b);
    this.link(this.optionalHead, optional);
  }

  /** Whether `entry` (not NIL) is a call entry, i.e. an operation's number. */
  isCall(entry: number): boolean {
    return entry < this.n;
  }

  /** Removes operation `k`'s call entry and its return entry, if it has one. */
  lift(k: number): void {
    this.unlink(k);
    // A return entry that was never linked keeps `prev` NIL.
    const match = this.n + k;
    if (this.prev[match] !== EventList.NIL) this.unlink(match);
  }

  /** Puts back what `lift(k)` removed; lifts must be undone in reverse order. */
  unlift(k: number): void {
    const match = this.n + k;
    if (this.prev[match] !== EventList.NIL) this.relink(match);
    this.relink(k);
  }

  private link(head: number, entries: readonly number[]): void {
    let last = head;
    for (const entry of entries) {
      this.next[last] = entry;
      this.prev[entry] = last;
      last = entry;
    }
  }

  private unlink(entry: number): void {
    const prev = this.prev[entry]!;
    const next = this.next[entry]!;
    this.next[prev] = next;
    if (next !== EventList.NIL) this.prev[next] = prev;
  }

  private relink(entry: number): void {
    const prev = this.prev[entry]!;
    const next = this.next[entry]!;
    this.next[prev] = entry;
    if (next !== EventList.NIL) this.prev[next] = entry;
  }
}
