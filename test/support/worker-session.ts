import { PROTOCOL_VERSION, type WorkerToCoordinator } from '../../protocol/index.js';
import {
  type ConnectionHandlers,
  type WorkerConnection,
  type WorkerLog,
  WorkerSession,
  type WorkerSessionOptions,
} from '../../worker-core/index.js';

/** Records what the session sends and lets the test play the coordinator. */
export class ScriptedConnection implements WorkerConnection {
  readonly sent: WorkerToCoordinator[] = [];
  heartbeatMs: number | undefined;
  backoffResets = 0;
  open = false;
  stopped = false;
  constructor(readonly handlers: ConnectionHandlers) {}
  start(): void {
    this.open = true;
    this.handlers.opened();
  }
  send(message: WorkerToCoordinator): boolean {
    if (this.open) this.sent.push(message);
    return this.open;
  }
  startHeartbeat(intervalMs: number): void {
    this.heartbeatMs = intervalMs;
  }
  resetBackoff(): void {
    this.backoffResets++;
  }
  async stop(): Promise<void> {
    this.open = false;
    this.stopped = true;
  }
  deliver(message: unknown): void {
    this.handlers.message(JSON.stringify(message));
  }
  drop(): void {
    this.open = false;
    this.handlers.closed();
  }
  reopen(): void {
    this.open = true;
    this.handlers.opened();
  }
  /** Removes the sent messages of `type` from `sent` and returns them. */
  take<T extends WorkerToCoordinator['type']>(
    type: T,
  ): Extract<WorkerToCoordinator, { type: T }>[] {
    const taken = this.sent.filter((m) => m.type === type);
    this.sent.splice(0, this.sent.length, ...this.sent.filter((m) => m.type !== type));
    return taken as Extract<WorkerToCoordinator, { type: T }>[];
  }
}

export const silentLog: WorkerLog = { debug() {}, info() {}, warn() {}, error() {} };

/** The coordinator's `registered` answer to worker `w1`. */
export function registeredMessage(heartbeatIntervalMs: number) {
  return {
    v: PROTOCOL_VERSION,
    type: 'registered',
    workerId: 'w1',
    heartbeatIntervalMs,
    maxMessageBytes: 1_000_000,
  };
}

/** A started session of worker `w1` (no labels, silent log) on a `ScriptedConnection`. */
export function startScriptedSession(
  options: Omit<WorkerSessionOptions, 'workerId' | 'labels' | 'log' | 'connect'>,
): { session: WorkerSession; connection: ScriptedConnection } {
  let connection: ScriptedConnection | undefined;
  const session = new WorkerSession({
    workerId: 'w1',
    labels: {},
    log: silentLog,
    ...options,
    connect: (handlers) => {
      connection = new ScriptedConnection(handlers);
      return connection;
    },
  });
  session.start();
  return { session, connection: connection! };
}
