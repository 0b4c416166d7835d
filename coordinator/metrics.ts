import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { countTasksByState, countWorkersByStatus } from './queries.js';
import type { CoordinatorState, StateEvent } from './state/index.js';

/** Prometheus metrics of one coordinator (its own registry, so several can share a process). */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  private readonly submitted: Counter;
  private readonly ended: Counter<'state'>;
  private readonly requeued: Counter;
  private readonly batchSeconds: Histogram;

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
      else if (event.type === 'TaskEnded') this.ended.inc({ state: event.task.state });
      else if (event.type === 'TaskRequeued') this.requeued.inc();
    }
  }
}
