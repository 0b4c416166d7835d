import type { Assignment, WorkerPageConnection, WorkerPageReport } from '../../protocol/index.js';
import { attemptKey, type WorkerIdentity } from '../../worker-core/index.js';

declare global {
  var __dtfWorker: WorkerPageReport | undefined;
}

/**
 * How often the task lines are redrawn at most: each redraw costs the page a frame (layout and
 * paint, in software on a headless machine: milliseconds), and a sharded run's stages finish
 * dozens of tasks a second.
 */
const TASK_LINES_INTERVAL_MS = 250;

/**
 * A few lines on the page saying what this worker is doing, for a person looking at it, and
 * the same on `window.__dtfWorker` for the pool that launched it (kept current at once).
 */
export class StatusView {
  private readonly connection = line('Coordinator', 'connecting…');
  private readonly worker = line('Worker', '');
  private readonly done = line('Tasks done', '0');
  private readonly current = line('Running', 'nothing');
  private readonly running = new Map<string, string>();
  private finished = 0;
  private secret: string | undefined;
  private state: WorkerPageConnection = 'connecting';
  private problem: string | undefined;
  private redraw: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private workerId: string,
  ) {
    const title = document.createElement('h1');
    title.textContent = 'DTF browser worker';
    root.replaceChildren(
      title,
      this.connection.row,
      this.worker.row,
      this.done.row,
      this.current.row,
    );
    this.worker.value.textContent = workerId;
    this.publish();
  }

  registered(identity: WorkerIdentity): void {
    this.workerId = identity.workerId;
    this.secret = identity.secret;
    this.worker.value.textContent = identity.workerId;
    this.show('registered', 'connected');
  }

  disconnected(): void {
    this.show('disconnected', 'disconnected, reconnecting…');
  }

  /** The coordinator refused the worker token: the page has stopped trying. */
  rejected(reason: string): void {
    this.problem = reason;
    this.show('rejected', `rejected: ${reason}`);
  }

  failed(message: string): void {
    this.problem = message;
    this.show('failed', message);
  }

  /** `data-state` on the root lets a script that drives the page wait for a state. */
  private show(state: WorkerPageConnection, text: string): void {
    this.state = state;
    this.root.dataset.state = state;
    this.connection.value.textContent = text;
    this.publish();
  }

  taskStarted(assignment: Assignment): void {
    this.running.set(
      attemptKey(assignment.taskId, assignment.attempt),
      `${assignment.kind} ${assignment.taskId}`,
    );
    this.showRunning();
  }

  taskFinished(taskId: string, attempt: number): void {
    this.running.delete(attemptKey(taskId, attempt));
    this.finished++;
    this.showRunning();
  }

  private showRunning(): void {
    this.publish();
    this.redraw ??= setTimeout(() => {
      this.redraw = undefined;
      this.done.value.textContent = String(this.finished);
      this.current.value.textContent =
        this.running.size === 0 ? 'nothing' : [...this.running.values()].join(', ');
    }, TASK_LINES_INTERVAL_MS);
  }

  private publish(): void {
    globalThis.__dtfWorker = {
      workerId: this.workerId,
      secret: this.secret,
      connection: this.state,
      problem: this.problem,
      tasksDone: this.finished,
      busy: this.running.size > 0,
    };
  }
}

function line(label: string, initial: string): { row: HTMLElement; value: HTMLElement } {
  const row = document.createElement('p');
  const name = document.createElement('strong');
  name.textContent = `${label}: `;
  const value = document.createElement('span');
  value.textContent = initial;
  row.append(name, value);
  return { row, value };
}
