import { describe, expect, it } from 'vitest';
import {
  issueWorkerSecret,
  workerSecretMatches,
  workerSecretSha256,
} from '../../../../coordinator/auth/index.js';
import type { Command, WorkerProof } from '../../../../coordinator/state/index.js';

type RegisterWorker = Extract<Command, { type: 'RegisterWorker' }>;

import {
  claimWorkerId,
  registrationOutcome,
  speakForWorkerProblem,
} from '../../../../coordinator/worker-identity.js';
import { commandSpec, Harness, registerCommand } from '../../../support/fixtures.js';

const SECRET = 'dtf_ws_the-real-one';
const HASH = workerSecretSha256(SECRET);

function register(workerId: string, proof: WorkerProof): RegisterWorker {
  return { ...registerCommand(workerId, { now: 1_000 }), ...proof };
}

/** Worker `w` registered with the secret SECRET, running one task. */
function runningWorker() {
  const h = new Harness();
  const events = h.run(register('w', { newSecretSha256: HASH }));
  const [taskId] = h.submit(commandSpec());
  h.assign();
  return { h, events, taskId: taskId! };
}

describe('a worker id and its secret in apply', () => {
  it('the first registration of an id issues the secret the edge made', () => {
    const { h, events } = runningWorker();
    expect(events[0]).toMatchObject({ type: 'WorkerRegistered', secretIssued: true });
    expect(h.state.workers.get('w')!.secretSha256).toBe(HASH);
  });

  it('a registration with the secret takes the id again, and issues none', () => {
    const { h, taskId } = runningWorker();
    const lease = h.lease(taskId);
    const events = h.run({
      ...register('w', { secretSha256: HASH, newSecretSha256: workerSecretSha256('other') }),
      inFlight: [lease],
    });
    expect(events[0]).toMatchObject({ type: 'WorkerRegistered', secretIssued: false });
    expect(h.state.workers.get('w')!.secretSha256).toBe(HASH);
    expect(h.task(taskId).state).toBe('assigned');
  });

  it.each([
    ['a wrong secret', { secretSha256: workerSecretSha256('guess') }],
    ['no secret', {}],
    ['no secret but a fresh one', { newSecretSha256: workerSecretSha256('mine now') }],
  ])(
    'a registration with %s changes nothing: the worker keeps its connection and attempts',
    (_case, proof) => {
      const { h, taskId } = runningWorker();
      const before = {
        ...h.state.workers.get('w')!,
        running: [...h.state.workers.get('w')!.running],
      };
      const version = h.state.workersVersion;
      expect(h.run({ ...register('w', proof), name: 'hijacker', inFlight: [] })).toEqual([]);
      const after = h.state.workers.get('w')!;
      expect({ ...after, running: [...after.running] }).toEqual(before);
      expect(h.state.workersVersion).toBe(version);
      expect(h.task(taskId)).toMatchObject({ state: 'assigned', workerId: 'w', attempt: 1 });
    },
  );

  it('the admin key takes any id and leaves its secret as it was', () => {
    const { h } = runningWorker();
    const events = h.run(
      register('w', { byAdmin: true, newSecretSha256: workerSecretSha256('x') }),
    );
    expect(events[0]).toMatchObject({ type: 'WorkerRegistered', secretIssued: false });
    expect(h.state.workers.get('w')!.secretSha256).toBe(HASH);
  });

  it('of two registrations racing for a new id, the first in the log wins', () => {
    const h = new Harness();
    const first = h.run(register('w', { newSecretSha256: HASH }));
    const second = h.run(register('w', { newSecretSha256: workerSecretSha256('late') }));
    expect(first[0]).toMatchObject({ secretIssued: true });
    expect(second).toEqual([]);
    expect(h.state.workers.get('w')!.secretSha256).toBe(HASH);
  });

  it('a registration that presents the secret of an id this member has not applied yet holds', () => {
    // A new leader checks at its edge before applying all it has: the claim carries both.
    const h = new Harness();
    h.run(register('w', { newSecretSha256: HASH }));
    const events = h.run(
      register('w', { secretSha256: HASH, newSecretSha256: workerSecretSha256('fresh') }),
    );
    expect(events[0]).toMatchObject({ type: 'WorkerRegistered', secretIssued: false });
  });

  it('a worker recorded before secrets existed gets one at its next registration', () => {
    const h = new Harness();
    h.run(registerCommand('old'));
    expect(h.state.workers.get('old')!.secretSha256).toBeUndefined();
    const events = h.run(register('old', { newSecretSha256: HASH }));
    expect(events[0]).toMatchObject({ secretIssued: true });
    expect(h.state.workers.get('old')!.secretSha256).toBe(HASH);
  });
});

describe('claims at the edge', () => {
  it('a new id gets a fresh secret, made with crypto randomness, only its hash in the command', () => {
    const h = new Harness();
    const first = claimWorkerId(h.state, 'w', undefined, 'worker');
    const second = claimWorkerId(h.state, 'w', undefined, 'worker');
    if (!first.ok || !second.ok) throw new Error('expected claims');
    const { proof, newSecret } = first.claim;
    expect(newSecret).toMatch(/^dtf_ws_[A-Za-z0-9_-]{43}$/);
    expect(proof).toEqual({ newSecretSha256: workerSecretSha256(newSecret!) });
    expect(second.claim.newSecret).not.toBe(newSecret);
    expect(JSON.stringify(register('w', proof))).not.toContain(newSecret);
  });

  it('an id with a secret is refused at once without it, and taken with it or the admin key', () => {
    const { h } = runningWorker();
    for (const wrong of [undefined, 'guess', '']) {
      const claim = claimWorkerId(h.state, 'w', wrong, 'worker');
      expect(claim).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      if (!claim.ok) expect(claim.error.message).toContain("worker 'w'");
    }
    expect(claimWorkerId(h.state, 'w', SECRET, 'worker')).toEqual({
      ok: true,
      claim: { proof: { secretSha256: HASH } },
    });
    expect(claimWorkerId(h.state, 'w', undefined, 'admin')).toEqual({
      ok: true,
      claim: { proof: { byAdmin: true } },
    });
  });

  it('hands the secret over only when the committed registration issued it', () => {
    const h = new Harness();
    const claimed = claimWorkerId(h.state, 'w', undefined, 'worker');
    if (!claimed.ok) throw new Error('expected a claim');
    const events = h.run(register('w', claimed.claim.proof));
    expect(registrationOutcome('w', claimed.claim, events)).toEqual({
      ok: true,
      secret: claimed.claim.newSecret,
    });
    // Another registration made its claim before this one was applied, and lost the race.
    const raced = claimWorkerId(new Harness().state, 'w', undefined, 'worker');
    if (!raced.ok) throw new Error('expected a claim');
    const refused = registrationOutcome('w', raced.claim, h.run(register('w', raced.claim.proof)));
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A returning worker is answered without a secret.
    const again = claimWorkerId(h.state, 'w', claimed.claim.newSecret, 'worker');
    if (!again.ok) throw new Error('expected a claim');
    expect(registrationOutcome('w', again.claim, h.run(register('w', again.claim.proof)))).toEqual({
      ok: true,
    });
  });

  it('a worker whose record the coordinator no longer has is issued a fresh secret', () => {
    const h = new Harness();
    const claimed = claimWorkerId(h.state, 'w', 'dtf_ws_from-a-lost-database', 'worker');
    if (!claimed.ok) throw new Error('expected a claim');
    const outcome = registrationOutcome(
      'w',
      claimed.claim,
      h.run(register('w', claimed.claim.proof)),
    );
    expect(outcome).toEqual({ ok: true, secret: claimed.claim.newSecret });
    expect(h.state.workers.get('w')!.secretSha256).toBe(
      workerSecretSha256(claimed.claim.newSecret!),
    );
  });

  it('only the worker secret or the admin key may speak for a worker over REST', () => {
    const { h } = runningWorker();
    const worker = h.state.workers.get('w')!;
    expect(speakForWorkerProblem(worker, SECRET, 'worker')).toBeUndefined();
    expect(speakForWorkerProblem(worker, undefined, 'admin')).toBeUndefined();
    expect(speakForWorkerProblem(worker, undefined, 'worker')).toMatch(/has a secret: present/);
    expect(speakForWorkerProblem(worker, 'guess', 'worker')).toMatch(/not the one issued/);
    h.run(registerCommand('old'));
    const old = h.state.workers.get('old')!;
    expect(speakForWorkerProblem(old, 'anything', 'worker')).toMatch(/only the admin key/);
  });

  it('compares a secret with a stored hash, whatever the hash', () => {
    const { secret, sha256 } = issueWorkerSecret();
    expect(workerSecretMatches(secret, sha256)).toBe(true);
    expect(workerSecretMatches(`${secret}x`, sha256)).toBe(false);
    expect(workerSecretMatches(secret, 'abc')).toBe(false);
  });
});
