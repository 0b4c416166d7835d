import type { Assignment, LeaseRef, ResultReport, TaskResult } from '../protocol/index.js';
import { attemptKey } from './attempt-key.js';

export type RunAssignment = (assignment: Assignment, signal: AbortSignal) => Promise<TaskResult>;

export interface TaskPoolEvents {
  started(assignment: Assignment): void;
  /** An attempt ended on its own; aborted attempts end without this. */
  finished(report: ResultReport): void;
  /**
   * An attempt is about to start: what `finished` reported is to leave now, not after the
   * attempt's first synchronous stretch (a browser's inference holds its thread, and the
   * timers that would send it).
   */
  beforeStart?(): void;
}

interface RunningAttempt {
  controller: AbortController;
  settled: Promise<void>;
  lease: LeaseRef;
  slots: number;
}

const slotsOf = (assignment: Assignment) => assignment.slots ?? 1;

export const leaseOf = ({ taskId, attempt, leaseToken }: LeaseRef): LeaseRef => ({
  taskId,
  attempt,
  leaseToken,
});

/**
 * Runs assignments, as many at once as their slots fit in `slots` (one that alone takes more
 * runs by itself); the rest wait in arrival order.
 */
export class TaskPool {
  private readonly waiting: Assignment[] = [];
  private readonly running = new Map<string, RunningAttempt>();

  constructor(
    private readonly slots: number,
    private readonly runAssignment: RunAssignment,
    private readonly events: TaskPoolEvents,
  ) {}

  has(taskId: string, attempt: number): boolean {
    return (
      this.running.has(attemptKey(taskId, attempt)) ||
      this.waiting.some((task) => task.taskId === taskId && task.attempt === attempt)
    );
  }

  /** Attempts running or waiting to run. */
  leaseRefs(): LeaseRef[] {
    return [...[...this.running.values()].map((run) => run.lease), ...this.waiting.map(leaseOf)];
  }

  submit(assignment: Assignment): void {
    this.waiting.push(assignment);
    this.startWaiting();
  }

  /** Stops an attempt; false if this pool does not hold it. */
  abort(taskId: string, attempt: number, reason: string): boolean {
    const index = this.waiting.findIndex(
      (task) => task.taskId === taskId && task.attempt === attempt,
    );
    if (index >= 0) {
      this.waiting.splice(index, 1);
      return true;
    }
    const run = this.running.get(attemptKey(taskId, attempt));
    run?.controller.abort(reason);
    return run !== undefined;
  }

  /** Whether it holds any attempt, running or waiting for a slot. */
  get holdsAny(): boolean {
    return this.running.size > 0 || this.waiting.length > 0;
  }

  /** Attempts running now (not the ones waiting for a slot). */
  get runningCount(): number {
    return this.running.size;
  }

  /** Removes and returns the attempts waiting for a slot (a draining worker hands them back). */
  takeWaiting(): LeaseRef[] {
    return this.waiting.splice(0).map(leaseOf);
  }

  /**
   * Resolves true once nothing runs and nothing waits, or false after `timeoutMs` if something
   * still runs then.
   */
  async idle(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.running.size > 0 || this.waiting.length > 0) {
        const settled = Promise.all([...this.running.values()].map((run) => run.settled));
        if ((await Promise.race([settled.then(() => true), timedOut])) === false) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Aborts every running attempt (killing its process tree, as on a timeout), waits until the
   * runners have settled and returns the leases of the attempts that had not finished.
   */
  async abortRunning(reason: string): Promise<LeaseRef[]> {
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(reason);
    await Promise.all(runs.map((run) => run.settled));
    return runs.map((run) => run.lease);
  }

  /** Drops waiting attempts, aborts running ones and waits until their runners have settled. */
  async abortAll(reason: string): Promise<void> {
    this.waiting.length = 0;
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(reason);
    await Promise.all(runs.map((run) => run.settled));
  }

  private fits(assignment: Assignment | undefined): assignment is Assignment {
    if (assignment === undefined) return false;
    let used = 0;
    for (const run of this.running.values()) used += run.slots;
    return used === 0 || used + slotsOf(assignment) <= this.slots;
  }

  private startWaiting(): void {
    if (this.fits(this.waiting[0])) this.events.beforeStart?.();
    while (this.fits(this.waiting[0])) this.start(this.waiting.shift()!);
  }

  private start(assignment: Assignment): void {
    const key = attemptKey(assignment.taskId, assignment.attempt);
    const controller = new AbortController();
    const lease = leaseOf(assignment);
    this.events.started(assignment);
    const settled = this.runGuarded(assignment, controller.signal).then((result) => {
      this.running.delete(key);
      if (!controller.signal.aborted) this.events.finished({ ...lease, result });
      this.startWaiting();
    });
    this.running.set(key, { controller, settled, lease, slots: slotsOf(assignment) });
  }

  private async runGuarded(assignment: Assignment, signal: AbortSignal): Promise<TaskResult> {
    const startedAt = performance.now();
    try {
      return await this.runAssignment(assignment, signal);
    } catch (err) {
      const durationMs = performance.now() - startedAt;
      return { status: 'failed', durationMs, error: `runner error: ${(err as Error).message}` };
    }
  }
}
