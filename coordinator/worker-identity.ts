import type { ProtocolError } from '../protocol/index.js';
import {
  issueWorkerSecret,
  type Role,
  workerSecretMatches,
  workerSecretSha256,
} from './auth/index.js';
import type { CoordinatorState, StateEvent, WorkerProof, WorkerRecord } from './state/index.js';

/** What a registration puts in its `RegisterWorker` command, and the secret it may hand over. */
export interface RegistrationClaim {
  proof: WorkerProof;
  /** Made for an id that has no secret yet; handed over only if the command issued it. */
  newSecret?: string;
}

function forbidden(message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code: 'forbidden', message } };
}

/**
 * Checks a registration of `workerId` against the secret the state holds for it. An id with a
 * secret is refused at once without that secret (the admin key excepted); otherwise the claim
 * goes into the command, where `apply` settles it against the state the log has reached (this
 * member may not have applied everything yet, and two registrations may race for a new id).
 */
export function claimWorkerId(
  state: CoordinatorState,
  workerId: string,
  secret: string | undefined,
  role: Role,
): { ok: true; claim: RegistrationClaim } | { ok: false; error: ProtocolError } {
  const stored = state.workers.get(workerId)?.secretSha256;
  const byAdmin = role === 'admin' ? { byAdmin: true as const } : {};
  if (stored !== undefined) {
    if (role === 'admin') return { ok: true, claim: { proof: byAdmin } };
    const problem = secretProblem(workerId, secret, stored);
    if (problem !== undefined) return forbidden(problem);
    return { ok: true, claim: { proof: { secretSha256: stored } } };
  }
  const fresh = issueWorkerSecret();
  const presented = secret === undefined ? {} : { secretSha256: workerSecretSha256(secret) };
  return {
    ok: true,
    claim: {
      proof: { ...presented, newSecretSha256: fresh.sha256, ...byAdmin },
      newSecret: fresh.secret,
    },
  };
}

/**
 * How a committed registration ended: refused (another registration took the id with another
 * secret first), or registered, with the secret to hand over if this one issued it.
 */
export function registrationOutcome(
  workerId: string,
  claim: RegistrationClaim,
  events: readonly StateEvent[],
): { ok: true; secret?: string } | { ok: false; error: ProtocolError } {
  const registered = events.find((event) => event.type === 'WorkerRegistered');
  if (registered === undefined) {
    return forbidden(
      `worker '${workerId}' already has a secret that was not presented (another registration took this id first); register under a new worker id`,
    );
  }
  return registered.secretIssued && claim.newSecret !== undefined
    ? { ok: true, secret: claim.newSecret }
    : { ok: true };
}

/**
 * Why a REST call may not speak for `worker` (report it lost, heartbeat for it), or undefined
 * when it may: it presents the worker's own secret, or comes with the admin key.
 */
export function speakForWorkerProblem(
  worker: WorkerRecord,
  secret: string | undefined,
  role: Role,
): string | undefined {
  if (role === 'admin') return undefined;
  if (worker.secretSha256 === undefined) {
    return `worker '${worker.id}' has no secret yet (recorded before workers had secrets): only the admin key may speak for it until it registers again`;
  }
  return secretProblem(worker.id, secret, worker.secretSha256);
}

function secretProblem(
  workerId: string,
  secret: string | undefined,
  storedSha256: string,
): string | undefined {
  if (secret === undefined) {
    return `worker '${workerId}' has a secret: present the one issued in its first 'registered' reply ('secret'), or use the admin key`;
  }
  if (!workerSecretMatches(secret, storedSha256)) {
    return `the secret presented is not the one issued to worker '${workerId}'`;
  }
  return undefined;
}
