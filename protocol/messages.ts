import { z } from 'zod';
import {
  CancelledMessage,
  CLIENT_MESSAGE_ROLES,
  ClientToCoordinator,
  EventMessage,
  RetargetedMessage,
  SubmittedMessage,
  SubscribedMessage,
  TasksMessage,
  UnsubscribedMessage,
} from './client-messages.js';
import { DashboardMessage } from './dashboard.js';
import { ErrorCode } from './errors.js';
import type { Role } from './roles.js';
import { PROTOCOL_VERSION } from './version.js';
import {
  AbortMessage,
  AckMessage,
  AssignMessage,
  DrainMessage,
  RegisteredMessage,
  ReleasedMessage,
  WORKER_MESSAGE_ROLES,
  WorkerToCoordinator,
} from './worker-messages.js';

export const ErrorMessage = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('error'),
  /** The request this answers, when the request was readable enough to have one. */
  id: z.string().optional(),
  code: ErrorCode,
  message: z.string(),
  /** Set on `rate_limited` and `queue_full`: when the same request may be sent again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Everything the coordinator accepts on `/ws`. */
export const InboundMessage = z.discriminatedUnion('type', [
  ...WorkerToCoordinator.options,
  ...ClientToCoordinator.options,
]);
export type InboundMessage = z.infer<typeof InboundMessage>;

/** Everything a worker receives. */
export const ToWorkerMessage = z.discriminatedUnion('type', [
  RegisteredMessage,
  AssignMessage,
  AckMessage,
  AbortMessage,
  DrainMessage,
  ReleasedMessage,
  ErrorMessage,
]);
export type ToWorkerMessage = z.infer<typeof ToWorkerMessage>;

/** Everything a client receives. */
export const ToClientMessage = z.discriminatedUnion('type', [
  SubmittedMessage,
  CancelledMessage,
  RetargetedMessage,
  TasksMessage,
  SubscribedMessage,
  UnsubscribedMessage,
  EventMessage,
  DashboardMessage,
  ErrorMessage,
]);
export type ToClientMessage = z.infer<typeof ToClientMessage>;

export type WorkerMessageType = WorkerToCoordinator['type'];
export const WORKER_MESSAGE_TYPES: ReadonlySet<string> = new Set(
  WorkerToCoordinator.options.map((o) => o.shape.type.value),
);

/** Who may send each message a coordinator takes, by its type. */
export const MESSAGE_ROLES: Readonly<Record<InboundMessage['type'], readonly Role[]>> = {
  ...CLIENT_MESSAGE_ROLES,
  ...WORKER_MESSAGE_ROLES,
};
