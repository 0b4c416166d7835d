import { z } from 'zod';
import { Capabilities, Labels } from './capabilities.js';
import { MAX_TASKS_PER_SUBMIT } from './limits.js';
import { TaskSpec } from './task.js';

/** `POST /api/tasks/submit`: `{ tasks: [...] }`; a bare spec or array is accepted too. */
export const RestSubmitBody = z.object({
  tasks: z.array(TaskSpec).min(1).max(MAX_TASKS_PER_SUBMIT),
});
export type RestSubmitBody = z.infer<typeof RestSubmitBody>;

/**
 * `POST /api/workers/register`: records a worker without a live connection. It receives
 * tasks only once it connects to `/ws` and registers there with the same id.
 */
export const RestRegisterWorkerBody = z.object({
  workerId: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  capabilities: Capabilities,
  labels: Labels.default({}),
  slots: z.number().int().min(1).max(1024).default(1),
});
export type RestRegisterWorkerBody = z.infer<typeof RestRegisterWorkerBody>;

/**
 * `POST /api/workers/status`: a heartbeat over REST, or (`status: 'lost'`) word from whoever
 * runs the worker that it died, so its tasks are reassigned at once.
 */
export const RestWorkerStatusBody = z.object({
  workerId: z.string().min(1).max(128),
  status: z.enum(['alive', 'lost']).default('alive'),
  reason: z.string().max(1024).optional(),
});
export type RestWorkerStatusBody = z.infer<typeof RestWorkerStatusBody>;
