import type { TaskRecord } from './types.js';

export interface DelayedEntry {
  task: TaskRecord;
  notBefore: number;
  epoch: number;
}

type Entry = DelayedEntry;

/**
 * Queued tasks waiting out a retry backoff, earliest first (a binary min-heap). Entries are
 * dropped lazily: one whose task has left the queue, or re-entered it since, is stale.
 */
export class DelayedQueue {
  private heap: Entry[] = [];

  /** Every entry, stale ones too, in heap order: what a state snapshot keeps. */
  entries(): readonly Readonly<Entry>[] {
    return this.heap;
  }

  /** Takes over `entries` in heap order (from `entries()`); refuses any that break the order. */
  restore(entries: Entry[]): void {
    for (let i = 1; i < entries.length; i++) {
      const parent = entries[(i - 1) >> 1]!;
      if (parent.notBefore > entries[i]!.notBefore) {
        throw new Error(`backoff entry ${i} (task ${entries[i]!.task.id}) is out of heap order`);
      }
    }
    this.heap = entries;
  }

  add(task: TaskRecord, notBefore: number): void {
    this.heap.push({ task, notBefore, epoch: task.queueEpoch });
    this.up(this.heap.length - 1);
  }

  /** When the earliest live entry is due, if any. */
  nextDue(): number | undefined {
    this.dropStale();
    return this.heap[0]?.notBefore;
  }

  /** Removes and returns the tasks due at `now`, earliest first. */
  takeDue(now: number): TaskRecord[] {
    const due: TaskRecord[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (top === undefined || top.notBefore > now) return due;
      this.pop();
      due.push(top.task);
    }
  }

  private dropStale(): void {
    while (this.heap.length > 0 && !isLive(this.heap[0]!)) this.pop();
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(index: number): void {
    const { heap } = this;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.notBefore <= heap[i]!.notBefore) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(index: number): void {
    const { heap } = this;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.notBefore < heap[smallest]!.notBefore) smallest = left;
      if (right < heap.length && heap[right]!.notBefore < heap[smallest]!.notBefore) {
        smallest = right;
      }
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}

function isLive(entry: Entry): boolean {
  return (
    entry.task.state === 'queued' &&
    entry.task.queueEpoch === entry.epoch &&
    entry.task.notBefore === entry.notBefore
  );
}
