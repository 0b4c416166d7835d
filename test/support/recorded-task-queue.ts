import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../coordinator/store/sqlite-store.js';
import {
  type TaskResult,
  type TaskSpecInput,
  type TaskState,
  type TaskView,
  TERMINAL_STATES,
} from '../../protocol/index.js';
import { clusterRequest } from './cluster-rest.js';
import {
  type History,
  HistoryRecorder,
  type LiveTaskState,
  type Operation,
  type TaskQueueInput,
  type TaskQueueOutput,
  type TaskRead,
} from './linearizability/index.js';
import { Waiters } from './waiters.js';

type TaskOperation = Operation<TaskQueueInput, TaskQueueOutput>;

const UNKNOWN: TaskRead = { state: 'unknown' };
const LIST_LIMIT = 10_000;

/**
 * A cluster's task queue as clients use it over REST, every request recorded for the
 * linearizability checker's task-queue model. Tasks are named in the history by their
 * idempotency key, so a submit that failed ambiguously and its retry are the same task.
 *
 * - `submit` → `'ok'` on `201`; a request no member acted on (connection refused, only
 *   redirected) is dropped; any other failure (timeout, reset, `5xx`) stays open: it may have
 *   taken effect.
 * - `read` (`GET /api/tasks/:id`) → the task's state, `unknown` on `404`; `readList`
 *   (`GET /api/tasks?group=…`) is one read per key submitted so far, all over the same interval,
 *   `unknown` for a key it does not list.
 * - Results: the workers' reports are not seen by the test, so each distinct final result a
 *   read saw stands for one worker report that was never seen to return, called when the task's
 *   first submit was (a report can only come later). The checker must then find one recorded
 *   result that every read agrees with.
 */
export class RecordedTaskQueue {
  private tick = 0;
  private readonly clock = () => this.tick++;
  private readonly recorder = new HistoryRecorder<TaskQueueInput, TaskQueueOutput>(this.clock);
  /** Reads of stale sources, on the same clock but kept out of `history()`. */
  private readonly staleRecorder = new HistoryRecorder<TaskQueueInput, TaskQueueOutput>(this.clock);
  /** Every key a submit was called for, in order. */
  private readonly keys: string[] = [];
  /** Key → task id, from acknowledged submits. */
  private readonly ids = new Map<string, string>();
  /** Key → each distinct final result read, by `attempt result`. */
  private readonly results = new Map<string, Map<string, { attempt: number; result: string }>>();
  private readonly waiters = new Waiters();

  constructor(
    private readonly options: {
      token: string;
      group: string;
      /** The task to submit under `key` (group and idempotency key are added). */
      spec: (key: string) => TaskSpecInput;
    },
  ) {}

  /** Submits the task named `key` through member `url`; true once acknowledged. */
  async submit(clientId: string, url: string, key: string): Promise<boolean> {
    if (!this.keys.includes(key)) this.keys.push(key);
    const call = this.recorder.invoke(clientId, { op: 'submit', taskId: key });
    const spec = { ...this.options.spec(key), group: this.options.group, idempotencyKey: key };
    const reply = await clusterRequest(url, 'POST', '/api/tasks/submit', this.options.token, {
      body: { tasks: [spec] },
    });
    if (reply.kind === 'not-sent') {
      call.discard();
      return false;
    }
    if (reply.kind === 'ambiguous' || reply.status >= 500) return false;
    if (reply.status !== 201) {
      throw new Error(`submit ${key}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    const id = (reply.body as { taskIds: string[] }).taskIds[0]!;
    call.respond('ok');
    const known = this.ids.get(key);
    if (known !== undefined && known !== id) {
      throw new Error(`idempotency key ${key} was answered with task ${known}, then ${id}`);
    }
    this.ids.set(key, id);
    this.waiters.notify();
    return true;
  }

  /** Reads the task named `key` (acknowledged) through member `url`; true if answered. */
  async read(clientId: string, url: string, key: string): Promise<boolean> {
    const id = this.idOf(key);
    const call = this.recorder.invoke(clientId, { op: 'read', taskId: key });
    const reply = await clusterRequest(url, 'GET', `/api/tasks/${id}`, this.options.token);
    if (reply.kind === 'not-sent') {
      call.discard();
      return false;
    }
    // A read that got no answer constrains nothing; the checker drops it.
    if (reply.kind === 'ambiguous' || reply.status >= 500) return false;
    if (reply.status === 404) {
      call.respond(UNKNOWN);
      return true;
    }
    if (reply.status !== 200) {
      throw new Error(`read ${key}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    const view = reply.body as TaskView;
    if (view.id !== id || view.spec.idempotencyKey !== key) {
      throw new Error(
        `read of ${id} (${key}) answered task ${view.id} (${view.spec.idempotencyKey})`,
      );
    }
    call.respond(this.observe(key, view));
    return true;
  }

  /** Lists the group through member `url`: one read of each key submitted so far; true if answered. */
  async readList(clientId: string, url: string): Promise<boolean> {
    const keys = [...this.keys];
    const calls = keys.map((key) => this.recorder.invoke(clientId, { op: 'read', taskId: key }));
    const path = `/api/tasks?group=${encodeURIComponent(this.options.group)}&limit=${LIST_LIMIT}`;
    const reply = await clusterRequest(url, 'GET', path, this.options.token);
    if (reply.kind === 'not-sent') {
      for (const call of calls) call.discard();
      return false;
    }
    if (reply.kind === 'ambiguous' || reply.status >= 500) return false;
    if (reply.status !== 200) {
      throw new Error(`list: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    const { tasks } = reply.body as { tasks: TaskView[] };
    if (tasks.length >= LIST_LIMIT) throw new Error(`list: ${tasks.length} tasks fill the page`);
    const byKey = new Map(tasks.map((view) => [view.spec.idempotencyKey, view]));
    keys.forEach((key, i) => {
      const view = byKey.get(key);
      calls[i]!.respond(view === undefined ? UNKNOWN : this.observe(key, view));
    });
    return true;
  }

  /**
   * Reads the task named `key` straight from the SQLite database in a member's `dataDir`, as a
   * member answering from its own applied state would; recorded apart, in `staleHistory()`.
   */
  readDatabase(clientId: string, dataDir: string, key: string): TaskRead {
    const id = this.idOf(key);
    const call = this.staleRecorder.invoke(clientId, { op: 'read', taskId: key });
    const db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
    let row: { state: TaskState; attempt: number; result: string | null } | undefined;
    try {
      row = db.prepare('SELECT state, attempt, result FROM tasks WHERE id = ?').get(id) as
        | typeof row
        | undefined;
    } finally {
      db.close();
    }
    const seen =
      row === undefined
        ? UNKNOWN
        : taskRead(
            row.state,
            row.attempt,
            row.result === null ? undefined : (JSON.parse(row.result) as TaskResult),
          );
    call.respond(seen);
    return seen;
  }

  /** Keys of acknowledged submits. */
  acknowledged(): string[] {
    return [...this.ids.keys()];
  }

  /** Acknowledged keys no read has seen ended yet. */
  unfinished(): string[] {
    return this.acknowledged().filter((key) => !this.results.has(key));
  }

  /** Resolves once `count` submits have been acknowledged. */
  waitForAcknowledged(count: number, timeoutMs = 30_000): Promise<void> {
    return this.wait(
      () => this.ids.size >= count,
      timeoutMs,
      () => `${count} acknowledged submits (${this.ids.size} so far)`,
    );
  }

  /** Resolves once every submitted key is acknowledged and some read saw it ended. */
  waitForAllEnded(timeoutMs = 30_000): Promise<void> {
    return this.wait(
      () => this.keys.every((key) => this.results.has(key)),
      timeoutMs,
      () =>
        `every task to be seen ended (${this.keys.length - this.results.size} of ` +
        `${this.keys.length} not yet: ${this.keys.filter((k) => !this.results.has(k)).slice(0, 5)})`,
    );
  }

  /** The distinct final results reads saw for `key`. */
  resultsOf(key: string): { attempt: number; result: string }[] {
    return [...(this.results.get(key)?.values() ?? [])];
  }

  /** The recorded history, with one open `complete` per distinct result seen (see above). */
  history(): History<TaskQueueInput, TaskQueueOutput> {
    const recorded = this.recorder.history();
    const firstSubmit = new Map<string, number>();
    for (const op of recorded) {
      if (op.input.op === 'submit' && !firstSubmit.has(op.input.taskId)) {
        firstSubmit.set(op.input.taskId, op.call);
      }
    }
    const completes: TaskOperation[] = [];
    for (const [key, results] of this.results) {
      const call = firstSubmit.get(key);
      if (call === undefined) throw new Error(`${key} was seen ended but never submitted`);
      for (const { attempt, result } of results.values()) {
        completes.push({
          clientId: 'worker',
          input: { op: 'complete', taskId: key, attempt, result },
          call,
        });
      }
    }
    return [...recorded, ...completes];
  }

  /** The reads `readDatabase` made. */
  staleHistory(): History<TaskQueueInput, TaskQueueOutput> {
    return this.staleRecorder.history();
  }

  private idOf(key: string): string {
    const id = this.ids.get(key);
    if (id === undefined) throw new Error(`${key} has no acknowledged submit to read`);
    return id;
  }

  private observe(key: string, view: TaskView): TaskRead {
    const seen = taskRead(view.state, view.attempt, view.result);
    if (seen.state === 'done') {
      const results = this.results.get(key) ?? new Map();
      results.set(`${seen.attempt} ${seen.result}`, { attempt: seen.attempt, result: seen.result });
      this.results.set(key, results);
      this.waiters.notify();
    }
    return seen;
  }

  private wait(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    return this.waiters
      .waitFor(
        () => (done() ? true : undefined),
        timeoutMs,
        () => new Error(`timed out waiting for ${what()}`),
      )
      .then(() => {});
  }
}

/** A task's state as the model reads it; a final result is its state and output. */
function taskRead(state: TaskState, attempt: number, result: TaskResult | undefined): TaskRead {
  if (!TERMINAL_STATES.has(state)) return { state: state as LiveTaskState };
  const output = result?.output;
  // A command's stdout is enough to tell its runs apart; anything else is shown whole.
  const shown = output?.kind === 'command' ? output.stdout.trim() : JSON.stringify(output ?? null);
  return { state: 'done', attempt, result: `${state} ${shown}` };
}
