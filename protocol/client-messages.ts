import { z } from 'zod';
import { WatchDashboardMessage } from './dashboard.js';
import {
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_LIMIT,
  MAX_REQUEST_ID_LENGTH,
  MAX_TASKS_PER_SUBMIT,
} from './limits.js';
import { RetargetReply, RetargetRequest } from './rest.js';
import { READERS, type Role, SUBMITTERS } from './roles.js';
import { TaskEvent, TaskSpec, TaskState, TaskView } from './task.js';
import { PROTOCOL_VERSION } from './version.js';

const v = z.literal(PROTOCOL_VERSION);
const requestId = z.string().min(1).max(MAX_REQUEST_ID_LENGTH);
const taskIds = z.array(z.string().min(1)).min(1).max(MAX_TASKS_PER_SUBMIT);

// client -> coordinator

export const SubmitMessage = z.object({
  v,
  type: z.literal('submit'),
  id: requestId,
  tasks: z.array(TaskSpec).min(1).max(MAX_TASKS_PER_SUBMIT),
});
export type SubmitMessage = z.infer<typeof SubmitMessage>;

/** Selects tasks by id or by group (exactly one of the two). */
const selector = { taskIds: taskIds.optional(), group: z.string().min(1).optional() };
const oneSelector = (m: { taskIds?: string[] | undefined; group?: string | undefined }) =>
  (m.taskIds === undefined) !== (m.group === undefined);
const oneSelectorError = { message: 'give exactly one of taskIds or group' };

/** A request that names its tasks with a selector. */
function selectorRequest<T extends string>(type: T) {
  return z
    .object({ v, type: z.literal(type), id: requestId, ...selector })
    .refine(oneSelector, oneSelectorError);
}

export const CancelMessage = selectorRequest('cancel');
export type CancelMessage = z.infer<typeof CancelMessage>;

export const QueryMessage = z.object({
  v,
  type: z.literal('query'),
  id: requestId,
  taskIds: taskIds.optional(),
  group: z.string().min(1).optional(),
  state: TaskState.optional(),
  /** Return tasks with a larger submission sequence number (paging). */
  afterSeq: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(MAX_QUERY_LIMIT).default(DEFAULT_QUERY_LIMIT),
});
export type QueryMessage = z.infer<typeof QueryMessage>;

export const SubscribeMessage = selectorRequest('subscribe');
export type SubscribeMessage = z.infer<typeof SubscribeMessage>;

export const UnsubscribeMessage = z.object({
  v,
  type: z.literal('unsubscribe'),
  id: requestId,
  subscription: z.string(),
});
export type UnsubscribeMessage = z.infer<typeof UnsubscribeMessage>;

export const RetargetMessage = RetargetRequest.extend({
  v,
  type: z.literal('retarget'),
  id: requestId,
});
export type RetargetMessage = z.infer<typeof RetargetMessage>;

export const ClientToCoordinator = z.discriminatedUnion('type', [
  WatchDashboardMessage,
  SubmitMessage,
  CancelMessage,
  RetargetMessage,
  QueryMessage,
  SubscribeMessage,
  UnsubscribeMessage,
]);
export type ClientToCoordinator = z.infer<typeof ClientToCoordinator>;

/** Who may send each client message (see roles.ts). */
export const CLIENT_MESSAGE_ROLES = {
  'watch-dashboard': READERS,
  submit: SUBMITTERS,
  cancel: SUBMITTERS,
  retarget: SUBMITTERS,
  query: READERS,
  subscribe: READERS,
  unsubscribe: READERS,
} as const satisfies Record<ClientToCoordinator['type'], readonly Role[]>;

// coordinator -> client

export const SubmittedMessage = z.object({
  v,
  type: z.literal('submitted'),
  id: requestId,
  /** In the order of the submitted tasks; an identical repeat of an idempotency key gives the first task's id. */
  taskIds: z.array(z.string()),
});
export type SubmittedMessage = z.infer<typeof SubmittedMessage>;

export const CancelledMessage = z.object({
  v,
  type: z.literal('cancelled'),
  id: requestId,
  /** Tasks that were cancelled by this request; tasks already ended are left as they were. */
  taskIds: z.array(z.string()),
});
export type CancelledMessage = z.infer<typeof CancelledMessage>;

export const RetargetedMessage = RetargetReply.extend({
  v,
  type: z.literal('retargeted'),
  id: requestId,
});
export type RetargetedMessage = z.infer<typeof RetargetedMessage>;

export const TasksMessage = z.object({
  v,
  type: z.literal('tasks'),
  id: requestId,
  tasks: z.array(TaskView),
});
export type TasksMessage = z.infer<typeof TasksMessage>;

export const SubscribedMessage = z.object({
  v,
  type: z.literal('subscribed'),
  id: requestId,
  subscription: z.string(),
  /** Current state of every selected task, so no change between query and subscribe is missed. */
  snapshot: z.array(TaskEvent),
});
export type SubscribedMessage = z.infer<typeof SubscribedMessage>;

export const UnsubscribedMessage = z.object({
  v,
  type: z.literal('unsubscribed'),
  id: requestId,
});
export type UnsubscribedMessage = z.infer<typeof UnsubscribedMessage>;

export const EventMessage = z.object({
  v,
  type: z.literal('event'),
  subscription: z.string(),
  events: z.array(TaskEvent),
});
export type EventMessage = z.infer<typeof EventMessage>;
