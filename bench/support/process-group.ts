import type { StartedProcess } from './child-process.js';

/** The members of a cluster as processes, each started by its own function, again after a kill. */
export class ProcessGroup {
  private readonly running: Array<StartedProcess | undefined>;

  constructor(private readonly starters: ReadonlyArray<() => Promise<StartedProcess>>) {
    this.running = starters.map(() => undefined);
  }

  get size(): number {
    return this.starters.length;
  }

  isRunning(index: number): boolean {
    return this.running[index] !== undefined;
  }

  /** Starts every member at once (a cluster forms only with a quorum up). */
  async startAll(): Promise<void> {
    const results = await Promise.allSettled(this.starters.map((_, i) => this.start(i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Starts member `index`, which must not be running, and resolves once it is ready. */
  async start(index: number): Promise<void> {
    if (this.running[index] !== undefined) throw new Error(`member ${index} is already running`);
    this.running[index] = await this.starters[index]!();
  }

  /** `kill -9` of member `index`; resolves once it has exited. */
  async kill(index: number): Promise<void> {
    const started = this.running[index];
    if (started === undefined) throw new Error(`member ${index} is not running`);
    this.running[index] = undefined;
    await started.kill();
  }

  /** Ends every member still running: `stop` (SIGTERM, as a shutdown) or `kill` (SIGKILL). */
  async endAll(how: 'stop' | 'kill'): Promise<void> {
    const running = this.running.splice(
      0,
      this.running.length,
      ...this.starters.map(() => undefined),
    );
    await Promise.all(
      running.map((started) => (how === 'stop' ? started?.stop() : started?.kill())),
    );
  }
}

/**
 * Runs `fn` with every member of `group` started; ends them all afterwards, whatever happens,
 * as `end` says.
 */
export async function withProcessGroup<T>(
  group: ProcessGroup,
  end: 'stop' | 'kill',
  fn: () => Promise<T>,
): Promise<T> {
  try {
    await group.startAll();
    return await fn();
  } finally {
    await group.endAll(end);
  }
}
