import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessOutcome } from '../run-process.js';
import { type WarmRun, WarmVitest } from './warm-vitest.js';

/** The vitest major version whose internals host.ts resets between runs. */
const WARM_VITEST_MAJOR = 4;

/** A warm vitest nobody used for this long is closed. */
export const WARM_IDLE_MS = 5 * 60_000;

/** The host, compiled beside this file; absent when DTF runs from its TypeScript sources. */
const HOST_SCRIPT = fileURLToPath(new URL('./host.js', import.meta.url));
const HOST_BUILT = existsSync(HOST_SCRIPT);

/** What one warm vitest is for: tasks alike in all of it share one. */
export interface WarmSpec {
  /** The project's `vitest.mjs`. */
  vitestEntry: string;
  projectDir: string;
  /** `vitest run` arguments without the files and name pattern, reporters included. */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** vitest's Node API beside `vitestEntry`, if it is a vitest whose internals the host knows. */
function vitestNodeApi(vitestEntry: string): string | undefined {
  try {
    const root = dirname(vitestEntry);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version?: unknown;
      exports?: { './node'?: { default?: unknown } };
    };
    if (typeof manifest.version !== 'string') return undefined;
    if (Number.parseInt(manifest.version, 10) !== WARM_VITEST_MAJOR) return undefined;
    const entry = manifest.exports?.['./node']?.default;
    return typeof entry === 'string' ? join(root, entry) : undefined;
  } catch {
    return undefined;
  }
}

export interface WarmOutcome {
  outcome: ProcessOutcome;
  /** Whether it ran in a vitest an earlier task had started. */
  reused: boolean;
}

/**
 * The warm vitests of one Node worker: a task runs in an idle one started for the same project,
 * arguments and environment, whose config files have not changed since, or in a new one kept
 * for the next task. At most `maxIdle` wait idle (the oldest closed first), each for at most
 * `idleMs`. A project vitest cannot run warm (another major version, a globalSetup) is left to
 * a fresh `vitest run` per task.
 */
export class WarmVitests {
  private readonly idle: WarmVitest[] = [];
  private readonly all = new Set<WarmVitest>();
  private readonly idleTimers = new Map<WarmVitest, NodeJS.Timeout>();
  private readonly cold = new Set<string>();
  private closed = false;

  constructor(
    private readonly maxIdle: number,
    private readonly idleMs = WARM_IDLE_MS,
  ) {}

  /** Runs in a warm vitest; undefined when this task must start a vitest of its own. */
  async run(
    spec: WarmSpec,
    run: WarmRun,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<WarmOutcome | undefined> {
    const key = JSON.stringify([spec.vitestEntry, spec.projectDir, spec.args, spec.env]);
    if (this.closed || this.cold.has(key) || !HOST_BUILT) return undefined;
    const startedAt = performance.now();
    let host = this.takeIdle(key);
    if (host === undefined) {
      const vitestNode = vitestNodeApi(spec.vitestEntry);
      if (vitestNode === undefined) {
        this.cold.add(key);
        return undefined;
      }
      host = new WarmVitest(key, {
        script: HOST_SCRIPT,
        cwd: spec.projectDir,
        env: { ...spec.env },
        vitestNode,
        args: [...spec.args],
      });
      this.all.add(host);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<{ state: 'timed_out' }>((resolve) => {
        timer = setTimeout(() => resolve({ state: 'timed_out' }), timeoutMs);
      });
      const ready = await Promise.race([host.ready, aborted(signal), expired]);
      clearTimeout(timer);
      if (ready.state === 'timed_out') {
        // Its config never finished loading: the task's time is up, as a process's would be.
        const output = host.outputSoFar(null);
        this.discard(host);
        return {
          outcome: { ending: 'timed_out', output, durationMs: performance.now() - startedAt },
          reused: false,
        };
      }
      if (ready.state !== 'ready') {
        if (ready.state === 'unsupported') this.cold.add(key);
        this.discard(host);
        // A vitest that cannot start says why best when started for the task alone.
        return signal.aborted
          ? { outcome: { ending: 'aborted', durationMs: 0 }, reused: false }
          : undefined;
      }
    }
    const reused = host.used;
    const remaining = Math.max(1, timeoutMs - (performance.now() - startedAt));
    const outcome = await host.run(run, remaining, signal);
    outcome.durationMs = performance.now() - startedAt;
    if (outcome.ending === 'exited' && host.alive && !this.closed) this.keepIdle(host);
    else this.discard(host);
    return { outcome, reused };
  }

  /** Closes every warm vitest, idle or running, and starts no more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    this.idle.length = 0;
    await Promise.all([...this.all].map((host) => host.close()));
    this.all.clear();
  }

  private takeIdle(key: string): WarmVitest | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const host = this.idle[i]!;
      if (host.key !== key) continue;
      this.idle.splice(i, 1);
      clearTimeout(this.idleTimers.get(host));
      this.idleTimers.delete(host);
      if (host.alive && host.fresh) return host;
      this.discard(host);
    }
    return undefined;
  }

  private keepIdle(host: WarmVitest): void {
    this.idle.push(host);
    this.idleTimers.set(host, setTimeout(() => this.evict(host), this.idleMs).unref());
    while (this.idle.length > this.maxIdle) this.evict(this.idle[0]!);
  }

  private evict(host: WarmVitest): void {
    const at = this.idle.indexOf(host);
    if (at >= 0) this.idle.splice(at, 1);
    clearTimeout(this.idleTimers.get(host));
    this.idleTimers.delete(host);
    this.discard(host);
  }

  private discard(host: WarmVitest): void {
    this.all.delete(host);
    void host.close();
  }
}

function aborted(signal: AbortSignal): Promise<{ state: 'aborted' }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ state: 'aborted' });
    else signal.addEventListener('abort', () => resolve({ state: 'aborted' }), { once: true });
  });
}
