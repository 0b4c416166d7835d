import type { ClientToCoordinator } from './client-messages.js';
import type { ToClientMessage, ToWorkerMessage } from './messages.js';
import type { WorkerToCoordinator } from './worker-messages.js';

type MessageType =
  | ClientToCoordinator['type']
  | WorkerToCoordinator['type']
  | ToWorkerMessage['type']
  | ToClientMessage['type'];

/**
 * What each WebSocket message does, one line each, for the reference in docs/api.md (its
 * fields come from the schemas). Typed by the messages' types: a new message without a line
 * here does not compile.
 */
export const MESSAGE_SUMMARIES: Record<MessageType, string> = {
  submit: 'Submit tasks; answered `submitted` once they are durable.',
  cancel: 'Cancel tasks by ids or group; running attempts are aborted on their workers.',
  retarget: 'New requirements for tasks not ended, as `POST /api/tasks/retarget`.',
  query: 'Tasks in submission order, paged like `GET /api/tasks`; answered `tasks`.',
  subscribe: 'Follow tasks by ids or group: `subscribed` with a snapshot, then `event`s.',
  unsubscribe: 'Stop following; answered `unsubscribed`.',
  'watch-dashboard':
    'Follow the dashboard: its whole view (a page of workers), then again on each change, at most twice a second.',
  dashboard:
    'The dashboard view a `watch-dashboard` asked for: counts, a page of workers, throughput, runs, matrix, failures.',
  submitted: 'The ids of the submitted tasks, in order, once durable.',
  cancelled: 'The tasks cancelled.',
  retargeted: 'The tasks retargeted, the running ones revoked, those not found or ended.',
  tasks: 'The tasks a `query` asked for.',
  subscribed: 'The subscription and a snapshot of its tasks.',
  unsubscribed: 'The subscription ended.',
  event: 'Task transitions of a subscription, each once, in order.',
  register: 'A worker joins (or rejoins, reporting what it still runs); answered `registered`.',
  heartbeat: "Keeps the worker's leases alive.",
  progress: 'An attempt started running (`phase`).',
  result: 'Results of attempts; answered `ack`, resent until acknowledged.',
  draining: 'The worker takes no new tasks from now on.',
  release: 'Leases handed back: the attempts are queued again at once, not charged.',
  registered: 'Welcome: the heartbeat interval, the message limit, a new worker its secret.',
  assign: 'Tasks to run, each with its attempt and lease token.',
  ack: 'Which results were recorded (a late or duplicate one is acknowledged and ignored).',
  abort: 'Stop an attempt: the task was cancelled or its lease moved.',
  drain: 'Finish what runs within `graceMs`, hand back the rest, exit (`dtf drain`).',
  released: 'The answer to `release`: one entry per lease handed back.',
  error: 'A request that failed: its `id`, a code and what was wrong.',
};
