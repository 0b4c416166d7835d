import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  type AssignMessage,
  type HeartbeatMessage,
  type NodeCapabilities,
  PROTOCOL_VERSION,
  type RegisterMessage,
  type ResultMessage,
  type ToWorkerMessage,
} from '../../protocol/index.js';

export interface LightWorker {
  close(): Promise<void>;
}

export interface LightWorkerOptions {
  /** The coordinator's `/ws` URL. */
  url: string;
  name: string;
  slots: number;
  capabilities: NodeCapabilities;
  /** Called, after registration, when the coordinator sends an error or the socket fails. */
  onFailure(error: Error): void;
  /** Called with each `assign` as it arrives, before the worker answers it. */
  onAssign?(message: AssignMessage): void;
  /** How long each assignment takes to "run" before its results are sent (default 0: at once). */
  runMs?: number;
}

/** Every assigned task has succeeded at once, in no time. */
function succeededAll(assign: AssignMessage): ResultMessage {
  return {
    v: PROTOCOL_VERSION,
    type: 'result',
    results: assign.tasks.map(({ taskId, attempt, leaseToken }) => ({
      taskId,
      attempt,
      leaseToken,
      result: { status: 'succeeded', durationMs: 0 },
    })),
  };
}

/**
 * A worker that runs nothing: it registers, heartbeats, and answers every `assign` at once
 * with a `succeeded` result per task, so only the coordinator's dispatch path is measured.
 * It trusts what the coordinator sends rather than validating it, to keep its own cost out
 * of the measurement. Resolves once the coordinator has confirmed the registration.
 */
export function connectLightWorker(options: LightWorkerOptions): Promise<LightWorker> {
  const { name } = options;
  const socket = new WebSocket(options.url);
  const send = (message: RegisterMessage | HeartbeatMessage | ResultMessage) =>
    socket.send(JSON.stringify(message));
  let heartbeat: NodeJS.Timeout | undefined;
  let closing = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const worker: LightWorker = {
    async close() {
      closing = true;
      clearInterval(heartbeat);
      socket.close(1000);
      await closed;
    },
  };

  return new Promise((resolve, reject) => {
    let registered = false;
    const fail = (error: Error) => {
      if (registered) {
        options.onFailure(error);
        return;
      }
      closing = true;
      socket.terminate();
      reject(error);
    };
    socket.on('error', fail);
    socket.on('close', (code, reason) => {
      clearInterval(heartbeat);
      if (!closing) fail(new Error(`${name}: connection closed (${code} ${reason.toString()})`));
    });
    socket.once('open', () =>
      send({
        v: PROTOCOL_VERSION,
        type: 'register',
        workerId: randomUUID(),
        name,
        capabilities: options.capabilities,
        labels: {},
        slots: options.slots,
        inFlight: [],
      }),
    );
    socket.on('message', (data: Buffer) => {
      const message: ToWorkerMessage = JSON.parse(data.toString('utf8'));
      switch (message.type) {
        case 'assign':
          options.onAssign?.(message);
          if (options.runMs === undefined) send(succeededAll(message));
          else setTimeout(() => closing || send(succeededAll(message)), options.runMs);
          return;
        case 'registered':
          registered = true;
          heartbeat = setInterval(
            () => send({ v: PROTOCOL_VERSION, type: 'heartbeat' }),
            message.heartbeatIntervalMs,
          );
          resolve(worker);
          return;
        case 'error':
          fail(
            new Error(`${name}: the coordinator answered '${message.code}': ${message.message}`),
          );
          return;
        default:
          return;
      }
    });
  });
}
