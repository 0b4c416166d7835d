import { DtfClient } from '../../client/index.js';
import { type NodeCapabilities, type TaskEvent, TERMINAL_STATES } from '../../protocol/index.js';
import { withCoordinatorProcess } from './coordinator-process.js';
import { withDeadline } from './deadline.js';
import { connectLightWorker, type LightWorker } from './light-worker.js';
import { BENCH_GROUP, NOOP_TASK } from './noop-tasks.js';
import { sendOnSchedule } from './open-loop.js';
import { type LatencyPercentiles, latencyPercentiles } from './percentile.js';

export interface LatencyWorkload {
  /**
   * Tasks submitted first at the same rate and not timed, so that the figures describe the
   * steady state rather than the JIT compiling the hot path during the first seconds.
   */
  warmUpTasks: number;
  /** Tasks submitted and timed, one per submit, after the warm-up. */
  tasks: number;
  /** Submits sent per second, on a fixed schedule whatever the replies do. */
  perSecond: number;
  slots: number;
  capabilities: NodeCapabilities;
}

/** Per-task latencies from the moment its submit was sent, in milliseconds. */
export interface TaskLatencies {
  /** … until the light worker received the `assign` carrying it. */
  assigned: LatencyPercentiles;
  /** … until the client saw its terminal event (the result recorded). */
  recorded: LatencyPercentiles;
}

/** When each task's milestones happened, by task id, on `performance.now()`'s clock. */
class Timeline {
  readonly sent = new Map<string, number>();
  readonly assigned = new Map<string, number>();
  readonly ended = new Map<string, number>();
  readonly failed: TaskEvent[] = [];

  markAssigned(taskIds: readonly string[], at: number): void {
    for (const taskId of taskIds) if (!this.assigned.has(taskId)) this.assigned.set(taskId, at);
  }

  markEnded(events: readonly TaskEvent[], at: number): void {
    for (const event of events) {
      if (!TERMINAL_STATES.has(event.state) || this.ended.has(event.taskId)) continue;
      this.ended.set(event.taskId, at);
      if (event.state !== 'succeeded') this.failed.push(event);
    }
  }

  latencies(): TaskLatencies {
    if (this.failed.length > 0) {
      throw new Error(
        `${this.failed.length} tasks did not succeed, e.g. ${JSON.stringify(this.failed[0])}`,
      );
    }
    const since = (milestones: Map<string, number>) =>
      [...this.sent].map(([taskId, sentAt]) => {
        const at = milestones.get(taskId);
        if (at === undefined) throw new Error(`task ${taskId} has no recorded milestone`);
        return at - sentAt;
      });
    return {
      assigned: latencyPercentiles(since(this.assigned)),
      recorded: latencyPercentiles(since(this.ended)),
    };
  }
}

/**
 * Submits the workload's tasks one per submit on a fixed schedule (an open loop) to a fresh
 * coordinator process with one light worker, and times each task after the warm-up from its
 * submit to its `assign` at the worker and to its terminal event at the client.
 */
export function measureTaskLatency(workload: LatencyWorkload): Promise<TaskLatencies> {
  // The coordinator runs in its own process, as deployed: the load generators here do not
  // share its event loop.
  const total = workload.warmUpTasks + workload.tasks;
  return withCoordinatorProcess([], async ({ wsUrl, adminKey, workerToken }) => {
    const timeline = new Timeline();
    let reportFailure: (error: Error) => void = () => {};
    const workerFailure = new Promise<never>((_, reject) => {
      reportFailure = reject;
    });
    // Only a failure during the measurement matters; one while closing down does not.
    workerFailure.catch(() => {});
    let worker: LightWorker | undefined;
    let client: DtfClient | undefined;
    try {
      worker = await connectLightWorker({
        url: `${wsUrl}?token=${workerToken}`,
        name: 'light-worker-1',
        slots: workload.slots,
        capabilities: workload.capabilities,
        onFailure: reportFailure,
        onAssign: (message) =>
          timeline.markAssigned(
            message.tasks.map((task) => task.taskId),
            performance.now(),
          ),
      });
      const connected = await DtfClient.connect({ urls: [wsUrl], token: adminKey });
      client = connected;
      let allEnded: () => void = () => {};
      const ended = new Promise<void>((resolve) => {
        allEnded = resolve;
      });
      const subscription = await connected.subscribe({ group: BENCH_GROUP }, (events) => {
        timeline.markEnded(events, performance.now());
        if (timeline.ended.size >= total) allEnded();
      });
      const submits: Array<Promise<void>> = [];
      const scheduled = sendOnSchedule(total, workload.perSecond, (index) => {
        const sentAt = performance.now();
        const timed = index >= workload.warmUpTasks;
        submits.push(
          connected.submit([NOOP_TASK]).then(([taskId]) => {
            if (timed) timeline.sent.set(taskId!, sentAt);
          }),
        );
      });
      const scheduleMs = (total / workload.perSecond) * 1000;
      await withDeadline(
        'the latency run',
        scheduleMs + 30_000,
        Promise.race([
          scheduled.then(() => Promise.all([Promise.all(submits), ended])),
          workerFailure,
        ]),
      );
      await subscription.close();
      return timeline.latencies();
    } finally {
      await client?.close();
      await worker?.close();
    }
  });
}
