/** Bytes kept by default: a few pipelines' worth of small activations. */
export const DEFAULT_RECENT_ACTIVATION_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of activations this member committed lately from results, by artifact hex, so that
 * the assignment of the stage that reads one can carry it instead of the worker fetching it. A
 * cache, never a store: the artifact store holds every committed activation, and a miss only
 * costs the consumer a fetch. The oldest go first once the bytes kept pass the budget.
 */
export class RecentActivations {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly budgetBytes = DEFAULT_RECENT_ACTIVATION_BYTES) {}

  remember(hex: string, data: Uint8Array): void {
    if (data.byteLength > this.budgetBytes) return;
    this.forget(hex);
    this.entries.set(hex, data);
    this.bytes += data.byteLength;
    for (const [oldest, kept] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.bytes -= kept.byteLength;
    }
  }

  get(hex: string): Uint8Array | undefined {
    return this.entries.get(hex);
  }

  private forget(hex: string): void {
    const kept = this.entries.get(hex);
    if (kept === undefined) return;
    this.entries.delete(hex);
    this.bytes -= kept.byteLength;
  }
}
