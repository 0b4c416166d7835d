import {
  type ErrorCode,
  type ProtocolError,
  STAGE_OUTPUT_HEADERS,
  tensorByteLength,
} from '../../protocol/index.js';
import type { Role } from '../auth/index.js';
import type { CoordinatorState } from '../state/index.js';
import { speakForWorkerProblem } from '../worker-identity.js';
import { heldStageLease } from './stage-lease.js';

/** What an upload of a stage's output says about itself, before its body is read. */
export interface StageUploadRequest {
  taskId: string;
  attempt: string;
  name: string;
  /** The headers named in `STAGE_OUTPUT_HEADERS`, and Content-Length. */
  workerId: string | undefined;
  secret: string | undefined;
  leaseToken: string | undefined;
  contentLength: string | undefined;
  role: Role;
}

const WHOLE_NUMBER = /^(0|[1-9][0-9]{0,15})$/;

function refused(code: ErrorCode, message: string): { error: ProtocolError } {
  return { error: { code, message } };
}

/**
 * How many bytes the upload must be, or why it is refused: it speaks for a worker (with that
 * worker's secret, or the admin key) that holds the live lease of a shard-stage attempt, names
 * an output the task declares, and says it sends exactly that output's bytes. Decided before
 * any of the body is read: the worker token is semi-public, and only declared outputs of live
 * leases may take disk space.
 */
export function stageUploadTarget(
  state: CoordinatorState,
  request: StageUploadRequest,
): { bytes: number } | { error: ProtocolError } {
  const { taskId, name, workerId, leaseToken } = request;
  if (workerId === undefined) {
    return refused(
      'invalid_message',
      `name the uploading worker in the ${STAGE_OUTPUT_HEADERS.workerId} header`,
    );
  }
  const worker = state.workers.get(workerId);
  if (worker === undefined) return refused('not_found', `no worker '${workerId}'`);
  const problem = speakForWorkerProblem(worker, request.secret, request.role);
  if (problem !== undefined) return refused('forbidden', problem);
  if (!WHOLE_NUMBER.test(request.attempt)) {
    return refused('invalid_message', `attempt '${request.attempt}' is not a whole number`);
  }
  if (leaseToken === undefined || !WHOLE_NUMBER.test(leaseToken)) {
    return refused(
      'invalid_message',
      `give the attempt's lease token as a whole number in the ${STAGE_OUTPUT_HEADERS.leaseToken} header`,
    );
  }
  const held = heldStageLease(state, workerId, {
    taskId,
    attempt: Number(request.attempt),
    leaseToken: Number(leaseToken),
  });
  if ('code' in held) return refused(held.code, held.message);
  const { task } = held;
  const declared = task.spec.payload.outputs.find((output) => output.name === name);
  if (declared === undefined) {
    const names = task.spec.payload.outputs.map((output) => `'${output.name}'`).join(', ');
    return refused(
      'not_found',
      `task ${taskId} declares no output '${name}' (it declares ${names})`,
    );
  }
  const bytes = tensorByteLength(declared.type, declared.dims);
  const what = `output '${name}' (${declared.type} [${declared.dims.join(', ')}]) is ${bytes} bytes`;
  if (request.contentLength === undefined) {
    return refused('invalid_message', `send a Content-Length header: ${what}`);
  }
  if (request.contentLength !== String(bytes)) {
    return refused('invalid_message', `the body is ${request.contentLength} bytes; ${what}`);
  }
  return { bytes };
}
