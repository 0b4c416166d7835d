import type { WorkerToCoordinator } from '../protocol/index.js';

/** What a connection tells the worker session. */
export interface ConnectionHandlers {
  /** A socket opened; nothing has been sent on it yet. */
  opened(): void;
  message(raw: string): void;
  /** The open socket closed; a reconnect is already scheduled. */
  closed(): void;
  /**
   * The coordinator refused the credentials (the worker token): final, the connection has
   * stopped trying. `reason` names the problem.
   */
  refused(reason: string): void;
}

/** One (re)connecting WebSocket to a coordinator, as the Node process or a browser page has it. */
export interface WorkerConnection {
  start(): void;
  /** Sends on the open socket; false when there is none. */
  send(message: WorkerToCoordinator): boolean;
  /** Sends a heartbeat every `intervalMs` until the socket closes. */
  startHeartbeat(intervalMs: number): void;
  /** The coordinator accepted this worker: later outages start again from the shortest delay. */
  resetBackoff(): void;
  stop(): Promise<void>;
}
