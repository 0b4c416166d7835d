import {
  OWN_ADMIN_KEY,
  type ProtocolError,
  TaskState,
  TERMINAL_STATES,
} from '../protocol/index.js';
import type { CoordinatorState } from './state/index.js';

/** How much work the coordinator takes in: per key and overall (see docs/security.md). */
export interface AdmissionLimits {
  /** Tasks per second a managed key may submit, refilling its bucket; 0: no rate limit. */
  ratePerKey: number;
  /** Tasks a managed key may submit at once, its bucket's size. */
  burstPerKey: number;
  /** Unfinished tasks (queued, assigned, running) one key may have. */
  maxQueuedPerKey: number;
  /** Unfinished tasks the coordinator holds, all keys together. */
  maxQueued: number;
}

/** What a queue bound's refusal asks the client to wait: tasks must end before room is made. */
const QUEUE_FULL_RETRY_MS = 1_000;
/** The longest a rate refusal asks a client to wait. */
const MAX_RATE_RETRY_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** What the state tells about unfinished tasks. */
export interface UnfinishedCounts {
  unfinished(): number;
  unfinishedOf(owner: string): number;
}

const UNFINISHED_STATES = TaskState.options.filter((s) => !TERMINAL_STATES.has(s));

/** The state's counts, read as they are when asked. */
export function unfinishedCounts(state: CoordinatorState): UnfinishedCounts {
  return {
    unfinished: () => UNFINISHED_STATES.reduce((sum, s) => sum + state.taskCounts[s], 0),
    unfinishedOf: (owner) => state.unfinishedByOwner.get(owner) ?? 0,
  };
}

/**
 * Admission control for submits: a token bucket per managed key (the coordinator's own admin
 * key is its operator's and is not rate-limited), and bounds on the unfinished tasks of each key
 * and of all. A refusal is cheap and says when to try again; a submit admitted counts against
 * the bounds until its commit answers, so submits in flight together cannot overshoot them.
 */
export class Admission {
  private readonly buckets = new Map<string, Bucket>();
  /** Tasks admitted and not yet committed (or refused), by key. */
  private readonly pending = new Map<string, number>();
  private pendingAll = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly counts: UnfinishedCounts,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Before a submit's body is read: refused while the key's bucket is empty (a flood is turned
   * away without parsing what it sent). `keyId` is a managed key's; undefined for the own key.
   */
  gate(keyId: string | undefined): ProtocolError | undefined {
    const bucket = this.bucketOf(keyId);
    if (bucket === undefined || bucket.tokens >= 1) return undefined;
    return this.rateRefusal(bucket);
  }

  /**
   * Admits `tasks` tasks of `keyId`'s, or says why not. Admitted, they take tokens (a batch
   * larger than what is left takes the bucket below zero: the key waits the debt out) and count
   * as pending until `settle` is called with the same figures.
   */
  admit(keyId: string | undefined, tasks: number): ProtocolError | undefined {
    const owner = keyId ?? OWN_ADMIN_KEY;
    const bucket = this.bucketOf(keyId);
    if (bucket !== undefined && bucket.tokens < 1) return this.rateRefusal(bucket);
    const { maxQueuedPerKey, maxQueued } = this.limits;
    const own = this.counts.unfinishedOf(owner) + (this.pending.get(owner) ?? 0);
    if (own + tasks > maxQueuedPerKey) {
      return queueFull(
        `this key has ${own} unfinished tasks and may have ${maxQueuedPerKey} (--max-queued-per-key); ${tasks} more do not fit`,
      );
    }
    const all = this.counts.unfinished() + this.pendingAll;
    if (all + tasks > maxQueued) {
      return queueFull(
        `the coordinator holds ${all} unfinished tasks and may hold ${maxQueued} (--max-queued); ${tasks} more do not fit`,
      );
    }
    if (bucket !== undefined) bucket.tokens -= tasks;
    this.pending.set(owner, (this.pending.get(owner) ?? 0) + tasks);
    this.pendingAll += tasks;
    return undefined;
  }

  /** An admitted submit was committed or refused: its tasks are the state's to count now. */
  settle(keyId: string | undefined, tasks: number): void {
    const owner = keyId ?? OWN_ADMIN_KEY;
    const left = (this.pending.get(owner) ?? 0) - tasks;
    if (left <= 0) this.pending.delete(owner);
    else this.pending.set(owner, left);
    this.pendingAll -= tasks;
  }

  /** The key's bucket refilled to now; none for the own key, or with no rate limit. */
  private bucketOf(keyId: string | undefined): Bucket | undefined {
    const { ratePerKey, burstPerKey } = this.limits;
    if (keyId === undefined || ratePerKey <= 0) return undefined;
    const now = this.now();
    let bucket = this.buckets.get(keyId);
    if (bucket === undefined) {
      bucket = { tokens: burstPerKey, at: now };
      this.buckets.set(keyId, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(burstPerKey, bucket.tokens + ((now - bucket.at) * ratePerKey) / 1000);
    bucket.at = now;
    return bucket;
  }

  private rateRefusal(bucket: Bucket): ProtocolError {
    const { ratePerKey } = this.limits;
    const waitMs = Math.ceil(((1 - bucket.tokens) * 1000) / ratePerKey);
    return {
      code: 'rate_limited',
      message: `this key may submit ${ratePerKey} tasks per second (--submit-rate) and has used them; send again in ${waitMs} ms`,
      retryAfterMs: Math.min(MAX_RATE_RETRY_MS, Math.max(1, waitMs)),
    };
  }
}

function queueFull(message: string): ProtocolError {
  return { code: 'queue_full', message, retryAfterMs: QUEUE_FULL_RETRY_MS };
}
