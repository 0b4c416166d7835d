import type { Logger } from 'pino';
import type WebSocket from 'ws';
import {
  type AbortMessage,
  type Assignment,
  CLOSE_WORKER_EXPIRED,
  CLOSE_WORKER_REPLACED,
  type DrainMessage,
  PROTOCOL_VERSION,
  type ResultAck,
} from '../../protocol/index.js';
import {
  type RecentActivations,
  resolveStageInputs,
  withInlineInputs,
} from '../shard-stage/index.js';
import {
  attemptTimeoutMs,
  type CoordinatorState,
  type StateEvent,
  slotsOf,
  type TaskRecord,
} from '../state/index.js';
import { send } from './send.js';

/**
 * What the worker holding `task`'s lease is sent: its spec's payload, a shard-stage task's
 * inputs resolved to what its parents committed (looked up in `tasks`, and carried along where
 * `recent` has their bytes), or the problem that kept them from resolving.
 */
export function assignmentFor(
  task: TaskRecord,
  tasks: ReadonlyMap<string, TaskRecord>,
  recent?: RecentActivations,
): Assignment | { problem: string } {
  const lease = {
    taskId: task.id,
    attempt: task.attempt,
    leaseToken: task.leaseToken,
    timeoutMs: attemptTimeoutMs(task),
    ...(task.spec.name === undefined ? {} : { name: task.spec.name }),
    ...(slotsOf(task) > 1 ? { slots: slotsOf(task) } : {}),
  };
  const { spec } = task;
  if (spec.kind === 'shard-stage') {
    const resolved = resolveStageInputs(spec.payload, spec.dependsOn ?? [], tasks);
    if ('problem' in resolved) return resolved;
    const payload =
      recent === undefined
        ? resolved.payload
        : withInlineInputs(resolved.payload, (hex) => recent.get(hex));
    return { ...lease, kind: spec.kind, payload };
  }
  // Spec and assignment are unions keyed by the same kind with the same payload schema.
  return { ...lease, kind: spec.kind, payload: spec.payload } as Assignment;
}

/** The live socket of each registered worker, and delivery of what the state machine decided for it. */
export class WorkerConnections {
  private readonly sockets = new Map<string, WebSocket>();

  constructor(
    /** Where assignments read their parents' results (the object, whose `tasks` a snapshot replaces). */
    private readonly state: Pick<CoordinatorState, 'tasks'>,
    private readonly logger: Logger,
    /** Activations committed lately, which assignments carry to the stages that read them. */
    private readonly recent?: RecentActivations,
  ) {}

  bind(workerId: string, socket: WebSocket): void {
    const previous = this.sockets.get(workerId);
    if (previous !== undefined && previous !== socket) {
      previous.close(CLOSE_WORKER_REPLACED, 'replaced by a newer connection of this worker');
    }
    this.sockets.set(workerId, socket);
  }

  /** Forgets the socket; returns false if the worker had already moved to another one. */
  unbind(workerId: string, socket: WebSocket): boolean {
    if (this.sockets.get(workerId) !== socket) return false;
    this.sockets.delete(workerId);
    return true;
  }

  get size(): number {
    return this.sockets.size;
  }

  deliver(events: readonly StateEvent[]): void {
    const assigns = new Map<string, Assignment[]>();
    const acks = new Map<string, ResultAck[]>();
    for (const event of events) {
      switch (event.type) {
        case 'TaskAssigned': {
          const assignment = assignmentFor(event.task, this.state.tasks, this.recent);
          if ('problem' in assignment) {
            // Not sent: the attempt runs out its timeout and is retried, as if the message was lost.
            this.logger.error(
              { taskId: event.task.id, attempt: event.task.attempt },
              `cannot assign task ${event.task.id}: ${assignment.problem}`,
            );
          } else push(assigns, event.task.workerId!, assignment);
          break;
        }
        case 'ResultAcked':
          push(acks, event.workerId, event.ack);
          break;
        case 'LeaseRevoked':
          this.abort(event.workerId, event.taskId, event.attempt, event.reason);
          break;
        case 'TaskEnded':
          if (event.abortOnWorker !== undefined) {
            const reason = event.reason ?? `task ${event.task.state}`;
            this.abort(event.abortOnWorker, event.task.id, event.task.attempt, reason);
          }
          break;
        case 'WorkerDraining':
          if (event.by === 'admin') this.drain(event.worker.id, event.graceMs);
          break;
        case 'WorkerLost':
          this.sockets
            .get(event.worker.id)
            ?.close(CLOSE_WORKER_EXPIRED, truncateReason(event.reason));
          break;
        default:
          break;
      }
    }
    for (const [workerId, tasks] of assigns) {
      const socket = this.sockets.get(workerId);
      if (socket !== undefined) send(socket, { v: PROTOCOL_VERSION, type: 'assign', tasks });
    }
    for (const [workerId, list] of acks) {
      const socket = this.sockets.get(workerId);
      if (socket !== undefined) send(socket, { v: PROTOCOL_VERSION, type: 'ack', acks: list });
    }
  }

  private drain(workerId: string, graceMs: number | undefined): void {
    const socket = this.sockets.get(workerId);
    const message: DrainMessage = { v: PROTOCOL_VERSION, type: 'drain' };
    if (graceMs !== undefined) message.graceMs = graceMs;
    if (socket !== undefined) send(socket, message);
  }

  private abort(workerId: string, taskId: string, attempt: number, reason: string): void {
    const socket = this.sockets.get(workerId);
    const message: AbortMessage = { v: PROTOCOL_VERSION, type: 'abort', taskId, attempt, reason };
    if (socket !== undefined) send(socket, message);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** WebSocket close reasons are limited to 123 bytes. */
function truncateReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${reason.slice(0, 110)}…`;
}
