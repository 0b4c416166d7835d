import { z } from 'zod';

export const ERROR_CODES = [
  'bad_json',
  'unknown_type',
  'unsupported_version',
  'invalid_message',
  'unknown_task_kind',
  'message_too_large',
  /** A REST body that is not UTF-8 JSON (another charset, an unknown content encoding). */
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_registered',
  /** An idempotency key already stands for a task with another spec: the message names the key. */
  'conflict',
  /** A follower in a cluster: the message names the leader's URL. */
  'not_leader',
  /** A cluster member before the cluster's credentials exist (a leader creates them). */
  'credentials_pending',
  /** A bounded wait ran out (a leadership transfer that did not complete). */
  'timeout',
  /** A key submitted faster than its rate: wait `retryAfterMs` and send it again. */
  'rate_limited',
  /** The queue holds as many unfinished tasks as it may (the key's, or all): retry later. */
  'queue_full',
  /** Cluster mode: too few members could store an uploaded artifact durably. */
  'replication_failed',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** An error that names the problem, as sent on the wire and returned by REST. */
export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** How long to wait before sending the same request again (`rate_limited`, `queue_full`). */
  retryAfterMs?: number;
}
