import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { countTasksByState, countWorkersByStatus } from './queries.js';
import type { CoordinatorState, StateEvent } from './state/index.js';

/** Requirement classes labelled one by one: each is a series, and a series costs Prometheus. */
const MAX_CLASSES = 50;

/** Placeable tasks per requirement class, the deepest first, the rest folded into `other`. */
export function queueDepths(
  state: CoordinatorState,
): Array<{ kind: string; label: string; queued: number }> {
  const classes = [...state.ready.classes.values()].sort((a, b) => b.queued - a.queued);
  const depths = classes.slice(0, MAX_CLASSES).map((cls) => ({
    kind: cls.kind as string,
    label: JSON.stringify(cls.requirements).slice(0, 200),
    queued: cls.queued,
  }));
  const rest = classes.slice(MAX_CLASSES);
  if (rest.length > 0) {
    depths.push({ kind: 'any', label: 'other', queued: rest.reduce((n, c) => n + c.queued, 0) });
  }
  return depths;
}

/** Prometheus metrics of one coordinator (its own registry, so several can share a process). */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  private readonly submitted: Counter;
  private readonly ended: Counter<'state'>;
  private readonly requeued: Counter;
  private readonly batchSeconds: Histogram;
  private readonly dispatchSeconds: Histogram;
  private readonly taskSeconds: Histogram<'kind'>;

  constructor(state: CoordinatorState, connections: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'dtf_' });
    const registers = [this.registry];
    this.submitted = new Counter({
      name: 'dtf_tasks_submitted_total',
      help: 'Tasks accepted',
      registers,
    });
    this.ended = new Counter({
      name: 'dtf_tasks_ended_total',
      help: 'Tasks that reached a final state',
      labelNames: ['state'],
      registers,
    });
    this.requeued = new Counter({
      name: 'dtf_attempts_lost_total',
      help: 'Attempts that ended without a result and were retried',
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'dtf_commit_batch_seconds',
      help: 'Time to apply and commit one batch of commands',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
    this.dispatchSeconds = new Histogram({
      name: 'dtf_dispatch_latency_seconds',
      help: 'Time from a task being queued (submitted, or handed back for a retry) to its assignment',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.taskSeconds = new Histogram({
      name: 'dtf_task_duration_seconds',
      help: 'Run time of the attempts that ended tasks, by task kind, as their workers measured it',
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    });
    new Gauge({
      name: 'dtf_queue_depth',
      help: `Placeable queued tasks by requirement class (the ${MAX_CLASSES} deepest; the rest as class="other")`,
      labelNames: ['kind', 'class'],
      registers,
      collect() {
        this.reset();
        for (const { kind, label, queued } of queueDepths(state))
          this.set({ kind, class: label }, queued);
      },
    });
    new Gauge({
      name: 'dtf_tasks',
      help: 'Tasks by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [s, n] of Object.entries(countTasksByState(state))) this.set({ state: s }, n);
      },
    });
    new Gauge({
      name: 'dtf_workers',
      help: 'Workers by status',
      labelNames: ['status'],
      registers,
      collect() {
        for (const [s, n] of Object.entries(countWorkersByStatus(state)))
          this.set({ status: s }, n);
      },
    });
    new Gauge({
      name: 'dtf_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(connections());
      },
    });
  }

  observeBatch(ms: number): void {
    this.batchSeconds.observe(ms / 1000);
  }

  count(events: readonly StateEvent[]): void {
    for (const event of events) {
      if (event.type === 'TaskSubmitted') this.submitted.inc();
      else if (event.type === 'TaskRequeued') this.requeued.inc();
      else if (event.type === 'TaskAssigned') {
        const { task } = event;
        const queuedAt = task.history.at(-1)?.at ?? task.submittedAt;
        this.dispatchSeconds.observe(Math.max(0, (task.assignedAt ?? queuedAt) - queuedAt) / 1000);
      } else if (event.type === 'TaskEnded') {
        const { task } = event;
        this.ended.inc({ state: task.state });
        const ms = task.result?.durationMs;
        if (ms !== undefined) this.taskSeconds.observe({ kind: task.spec.kind }, ms / 1000);
      }
    }
  }
}
