import { MAX_RECONNECT_DELAY_MS } from '../protocol/index.js';

export interface BackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Exponential reconnect delays with jitter, so many workers do not reconnect in lockstep. */
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private nextBaseMs: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = options.initialDelayMs ?? 100;
    this.maxDelayMs = Math.max(this.initialDelayMs, options.maxDelayMs ?? MAX_RECONNECT_DELAY_MS);
    this.nextBaseMs = this.initialDelayMs;
  }

  /** The next delay: between half and all of the current base, which then doubles up to the cap. */
  nextDelayMs(): number {
    const base = this.nextBaseMs;
    this.nextBaseMs = Math.min(this.maxDelayMs, base * 2);
    return Math.round(base * (0.5 + this.random() * 0.5));
  }

  reset(): void {
    this.nextBaseMs = this.initialDelayMs;
  }
}
