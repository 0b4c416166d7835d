import type {
  Assignment,
  BrowserCapabilities,
  ResultReport,
  WorkerPageConnection,
  WorkerPageReport,
} from '../../protocol/index.js';
import { attemptKey, type WorkerIdentity } from '../../worker-core/index.js';
import { backendOf, taskLabel } from './status-lines.js';

declare global {
  var __dtfWorker: WorkerPageReport | undefined;
}

/** How many finished tasks the page lists. */
export const RECENT_RESULTS = 20;

export interface RunningTask {
  key: string;
  label: string;
  kind: Assignment['kind'];
  backend: string | undefined;
  /** `Date.now()` when it started. */
  startedAt: number;
}

export interface FinishedTask {
  key: string;
  label: string;
  /** Unknown only for a task whose start this page did not see. */
  kind: Assignment['kind'] | undefined;
  backend: string | undefined;
  status: ResultReport['result']['status'];
  durationMs: number;
  error: string | undefined;
  endedAt: number;
}

/** What the page shows, as one value: the view draws it, the pool reads its summary. */
export interface WorkerStatusSnapshot {
  connection: WorkerPageConnection;
  /** What the connection line says. */
  connectionText: string;
  problem: string | undefined;
  workerId: string;
  /** The name `dtf workers` lists it by. */
  name: string;
  capabilities: BrowserCapabilities | undefined;
  running: RunningTask[];
  /** The newest first. */
  recent: FinishedTask[];
  tasksDone: number;
}

/**
 * What this worker is doing, for the person looking at the page and, on `window.__dtfWorker`,
 * for the pool that launched it (kept current at once; the view redraws at its own pace).
 */
export class WorkerStatus {
  private snapshot: WorkerStatusSnapshot;
  private secret: string | undefined;
  private readonly running = new Map<string, RunningTask>();
  private readonly listeners = new Set<() => void>();

  constructor(workerId: string, name: string) {
    this.snapshot = {
      connection: 'connecting',
      connectionText: 'connecting…',
      problem: undefined,
      workerId,
      name,
      capabilities: undefined,
      running: [],
      recent: [],
      tasksDone: 0,
    };
    this.publish();
  }

  current(): WorkerStatusSnapshot {
    return this.snapshot;
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  probed(capabilities: BrowserCapabilities, name: string): void {
    this.change({ capabilities, name });
  }

  registered(identity: WorkerIdentity): void {
    this.secret = identity.secret;
    this.change({
      workerId: identity.workerId,
      connection: 'registered',
      connectionText: 'connected',
    });
  }

  disconnected(): void {
    this.change({ connection: 'disconnected', connectionText: 'disconnected, reconnecting…' });
  }

  /** The coordinator refused the worker token: the page has stopped trying. */
  rejected(reason: string): void {
    this.change({ connection: 'rejected', connectionText: `rejected: ${reason}`, problem: reason });
  }

  failed(message: string): void {
    this.change({ connection: 'failed', connectionText: message, problem: message });
  }

  taskStarted(assignment: Assignment): void {
    const key = attemptKey(assignment.taskId, assignment.attempt);
    this.running.set(key, {
      key,
      label: taskLabel(assignment),
      kind: assignment.kind,
      backend: backendOf(assignment),
      startedAt: Date.now(),
    });
    this.change({ running: [...this.running.values()] });
  }

  taskFinished(report: ResultReport): void {
    const key = attemptKey(report.taskId, report.attempt);
    const started = this.running.get(key);
    this.running.delete(key);
    const { result } = report;
    const finished: FinishedTask = {
      key,
      label: started?.label ?? report.taskId,
      kind: started?.kind,
      backend: started?.backend,
      status: result.status,
      durationMs: result.durationMs,
      error: result.error,
      endedAt: Date.now(),
    };
    this.change({
      running: [...this.running.values()],
      recent: [finished, ...this.snapshot.recent].slice(0, RECENT_RESULTS),
      tasksDone: this.snapshot.tasksDone + 1,
    });
  }

  private change(update: Partial<WorkerStatusSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...update };
    this.publish();
    for (const listener of this.listeners) listener();
  }

  private publish(): void {
    const s = this.snapshot;
    globalThis.__dtfWorker = {
      workerId: s.workerId,
      secret: this.secret,
      connection: s.connection,
      problem: s.problem,
      tasksDone: s.tasksDone,
      busy: s.running.length > 0,
    };
  }
}
