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
import { attemptTimeoutMs, type StateEvent, type TaskRecord } from '../state/index.js';
import { send } from './send.js';

export function assignmentFor(task: TaskRecord): Assignment {
  const lease = {
    taskId: task.id,
    attempt: task.attempt,
    leaseToken: task.leaseToken,
    timeoutMs: attemptTimeoutMs(task),
  };
  // Spec and assignment are unions keyed by the same kind with the same payload schema.
  return { ...lease, kind: task.spec.kind, payload: task.spec.payload } as Assignment;
}

/** The live socket of each registered worker, and delivery of what the state machine decided for it. */
export class WorkerConnections {
  private readonly sockets = new Map<string, WebSocket>();

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
        case 'TaskAssigned':
          push(assigns, event.task.workerId!, assignmentFor(event.task));
          break;
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
