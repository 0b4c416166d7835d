import type { Message, NodeId } from '../../coordinator/raft/index.js';
import type { Prng } from './prng.js';

export interface NetworkProfile {
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  duplicate: number;
  minDelay: number;
  maxDelay: number;
  /** Probability that a message takes up to ten times the usual delay (reordering, staleness). */
  slow: number;
  /** Each link delivers in order (like a TCP stream) instead of reordering freely. */
  fifo: boolean;
}

/**
 * A simulated network: messages wait in per-time buckets; partitions cut links both when a
 * message is sent and when it would arrive.
 */
export class Network {
  private readonly buckets = new Map<number, Message[]>();
  private group = new Map<NodeId, number>();
  /** Per link: the time of the last delivery scheduled, for FIFO links. */
  private readonly lastAt = new Map<string, number>();
  sent = 0;
  delivered = 0;

  constructor(
    private readonly rng: Prng,
    public profile: NetworkProfile,
  ) {}

  reachable(a: NodeId, b: NodeId): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  /** Splits the nodes into groups; nodes not named stay in group 0. */
  partition(groups: NodeId[][]): void {
    this.group = new Map();
    groups.forEach((g, i) => {
      for (const id of g) this.group.set(id, i);
    });
  }

  heal(): void {
    this.group = new Map();
  }

  partitioned(): boolean {
    return new Set(this.group.values()).size > 1;
  }

  describePartition(): string {
    const groups = new Map<number, NodeId[]>();
    for (const [id, g] of this.group) groups.set(g, [...(groups.get(g) ?? []), id]);
    return [...groups.values()].map((g) => g.join(',')).join(' | ');
  }

  send(now: number, m: Message): void {
    this.sent++;
    if (!this.reachable(m.from, m.to) || this.rng.chance(this.profile.loss)) return;
    this.enqueue(now, m);
    if (this.rng.chance(this.profile.duplicate)) this.enqueue(now, m);
  }

  private enqueue(now: number, m: Message): void {
    const p = this.profile;
    let delay = this.rng.range(p.minDelay, p.maxDelay);
    if (this.rng.chance(p.slow)) delay *= this.rng.range(2, 10);
    let at = now + delay;
    if (p.fifo) {
      const link = `${m.from}>${m.to}`;
      at = Math.max(at, this.lastAt.get(link) ?? 0);
      this.lastAt.set(link, at);
    }
    const bucket = this.buckets.get(at);
    if (bucket) bucket.push(m);
    else this.buckets.set(at, [m]);
  }

  /** Messages arriving at `now`, in random order, with links cut since they were sent removed. */
  take(now: number): Message[] {
    const bucket = this.buckets.get(now);
    if (!bucket) return [];
    this.buckets.delete(now);
    const live = bucket.filter((m) => this.reachable(m.from, m.to));
    // FIFO links keep their order within a bucket; otherwise anything goes.
    const arriving = this.profile.fifo ? live : this.rng.shuffle(live);
    this.delivered += arriving.length;
    return arriving;
  }
}
