import {
  DASHBOARD_FAILURES,
  DASHBOARD_MATRIX_CELLS,
  DASHBOARD_MINUTES,
  type DashboardCell,
  type DashboardFailure,
  type DashboardView,
  QUEUE_SAMPLES,
} from '../../protocol/index.js';
import type { CoordinatorState, RunRecord, StateEvent, TaskRecord } from '../state/index.js';

const MINUTE_MS = 60_000;

const failedStates: ReadonlySet<string> = new Set(['failed', 'timed_out']);

function failureOf(task: TaskRecord, at: number): DashboardFailure {
  const failure: DashboardFailure = {
    taskId: task.id,
    kind: task.spec.kind,
    state: task.state,
    at,
    error: (task.result?.error ?? task.state).slice(0, 1000),
  };
  if (task.spec.name !== undefined) failure.name = task.spec.name;
  if (task.workerId !== undefined) failure.workerId = task.workerId;
  return failure;
}

/** A run's model cells, one per test where it ran; undefined when it has none. */
function matrixOf(run: RunRecord): DashboardView['matrix'] {
  const cells: DashboardCell[] = [];
  for (const result of run.results) {
    if (result.kind !== 'model' || cells.length >= DASHBOARD_MATRIX_CELLS) continue;
    const cell: DashboardCell = {
      test: result.test,
      browser: result.browser ?? '-',
      backend: result.backend ?? '-',
      status: result.quarantined ? `${result.status} (quarantined)` : result.status,
    };
    if (result.metrics?.medianMs !== undefined) cell.medianMs = result.metrics.medianMs;
    if (result.error !== undefined) cell.error = result.error.slice(0, 300);
    cells.push(cell);
  }
  return cells.length === 0 ? undefined : { runId: run.id, suite: run.suite, cells };
}

/**
 * What the dashboard charts over time, kept as it happens so that no view walks the tasks for
 * it: tasks ended per minute for the last hour, the queue's depth every 10 s, the latest
 * failures, the matrix of the latest ended run that had one. Built once from the state (tasks
 * that ended in the last hour, the runs), then fed the committed events.
 */
export class DashboardActivity {
  /** Minute index (ms / 60 s) → [succeeded, failed]. */
  private readonly minutes = new Map<number, [number, number]>();
  private readonly queueAt: number[] = [];
  private readonly queueDepth: number[] = [];
  private failures: DashboardFailure[] = [];
  private matrix: DashboardView['matrix'];

  constructor(
    private readonly state: CoordinatorState,
    now: number,
  ) {
    const since = now - DASHBOARD_MINUTES * MINUTE_MS;
    const failed: TaskRecord[] = [];
    for (const task of state.tasks.values()) {
      if (task.finishedAt === undefined || task.finishedAt < since) continue;
      this.countEnded(task.state, task.finishedAt);
      if (failedStates.has(task.state)) failed.push(task);
    }
    this.failures = failed
      .sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0))
      .slice(0, DASHBOARD_FAILURES)
      .map((task) => failureOf(task, task.finishedAt ?? now));
    this.matrix = this.findMatrix();
    this.sampleQueue(now);
  }

  /** Notes the tasks a batch ended, and the matrix of a run it ended. */
  record(events: readonly StateEvent[], now: number): void {
    let ended = false;
    for (const event of events) {
      if (event.type === 'RunResultsRecorded' && event.ended) {
        this.matrix = matrixOf(event.run) ?? this.matrix;
      } else if (event.type === 'RunsPruned' && this.matrix !== undefined) {
        if (event.runIds.includes(this.matrix.runId)) this.matrix = this.findMatrix();
      }
      if (event.type !== 'TaskEnded') continue;
      ended = true;
      const { update, task } = event;
      this.countEnded(update.state, update.at);
      if (failedStates.has(update.state)) {
        this.failures = [failureOf(task, update.at), ...this.failures].slice(0, DASHBOARD_FAILURES);
      }
    }
    if (ended) this.forget(now);
  }

  latestMatrix(): DashboardView['matrix'] {
    return this.matrix;
  }

  /** The latest ended run's matrix, looked for from the newest run back. */
  private findMatrix(): DashboardView['matrix'] {
    const runs = [...this.state.runs.values()];
    for (let i = runs.length - 1; i >= 0; i--) {
      if (runs[i]!.status === 'running') continue;
      const matrix = matrixOf(runs[i]!);
      if (matrix !== undefined) return matrix;
    }
    return undefined;
  }

  /** Takes the queue's depth now; call every `QUEUE_SAMPLE_MS`. */
  sampleQueue(now: number): void {
    this.queueAt.push(now);
    this.queueDepth.push(this.state.ready.size);
    if (this.queueAt.length > QUEUE_SAMPLES) {
      this.queueAt.shift();
      this.queueDepth.shift();
    }
    this.forget(now);
  }

  throughput(now: number): { since: number; succeeded: number[]; failed: number[] } {
    const last = Math.floor(now / MINUTE_MS);
    const succeeded: number[] = [];
    const failed: number[] = [];
    for (let minute = last - DASHBOARD_MINUTES + 1; minute <= last; minute++) {
      const [ok, bad] = this.minutes.get(minute) ?? [0, 0];
      succeeded.push(ok);
      failed.push(bad);
    }
    return { since: (last - DASHBOARD_MINUTES + 1) * MINUTE_MS, succeeded, failed };
  }

  queue(): { at: number[]; depth: number[] } {
    return { at: [...this.queueAt], depth: [...this.queueDepth] };
  }

  latestFailures(): DashboardFailure[] {
    return this.failures;
  }

  private countEnded(state: string, at: number): void {
    if (state !== 'succeeded' && !failedStates.has(state)) return;
    const minute = Math.floor(at / MINUTE_MS);
    const counts = this.minutes.get(minute) ?? [0, 0];
    counts[state === 'succeeded' ? 0 : 1]++;
    this.minutes.set(minute, counts);
  }

  private forget(now: number): void {
    const oldest = Math.floor(now / MINUTE_MS) - DASHBOARD_MINUTES;
    for (const minute of this.minutes.keys()) if (minute <= oldest) this.minutes.delete(minute);
  }
}
