/** What a cached session must offer: a way to free what it holds. */
export interface Releasable {
  release(): Promise<void>;
}

export interface SessionCacheLimits {
  /** Sessions kept at most. */
  maxSessions: number;
  /** Model bytes of the kept sessions at most (what they were created from). */
  maxBytes: number;
}

/** A few sessions and tens of MB of weights: later micro-batches of a stage reuse its session. */
export const DEFAULT_SESSION_CACHE_LIMITS: SessionCacheLimits = {
  maxSessions: 4,
  maxBytes: 256 * 1024 * 1024,
};

interface Entry<S> {
  created: Promise<{ session: S; bytes: number }>;
  /** Model bytes, once created. */
  bytes: number;
  /** Calls of `use` holding it now. */
  users: number;
  /** The end of the last run queued on it: runs on one session go one at a time. */
  tail: Promise<void>;
}

/**
 * Inference sessions by key (model and provider), kept between tasks so that each micro-batch
 * of a stage does not create its stage's session again. Bounded by `limits`: past them the
 * least recently used idle sessions are released (never the one used last, never one in use).
 * Runs on one session are serialized; onnxruntime-web does not take concurrent runs.
 */
export class SessionCache<S extends Releasable> {
  /** In order of last use, oldest first. */
  private readonly entries = new Map<string, Entry<S>>();

  constructor(private readonly limits: SessionCacheLimits = DEFAULT_SESSION_CACHE_LIMITS) {}

  /**
   * Runs `work` on the session of `key`, made by `create` (once, however many ask at the same
   * time) unless cached; `reused` says the session was there already. A failed `create` is
   * not kept: the next call tries again.
   */
  async use<T>(
    key: string,
    create: () => Promise<{ session: S; bytes: number }>,
    work: (session: S, reused: boolean) => Promise<T>,
  ): Promise<T> {
    let entry = this.entries.get(key);
    const reused = entry !== undefined;
    if (entry === undefined) {
      const created = create();
      const fresh: Entry<S> = { created, bytes: 0, users: 0, tail: Promise.resolve() };
      entry = fresh;
      created.then(
        ({ bytes }) => {
          fresh.bytes = bytes;
        },
        () => {
          if (this.entries.get(key) === fresh) this.entries.delete(key);
        },
      );
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.users++;
    try {
      const { session } = await entry.created;
      const previous = entry.tail;
      let done!: () => void;
      entry.tail = new Promise((resolve) => {
        done = resolve;
      });
      await previous;
      try {
        return await work(session, reused);
      } finally {
        done();
      }
    } finally {
      entry.users--;
      this.evict();
    }
  }

  /** Sessions kept now. */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.bytes;
    const newest = [...this.entries.keys()].at(-1);
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxSessions && bytes <= this.limits.maxBytes) return;
      if (key === newest || entry.users > 0) continue;
      this.entries.delete(key);
      bytes -= entry.bytes;
      // Freed once created; a session that failed to be made holds nothing.
      entry.created.then(({ session }) => session.release()).catch(() => {});
    }
  }
}
