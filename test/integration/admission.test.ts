import { beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorError, DtfClient } from '../../client/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { errorOf, getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: [
      // One task a second: a key past its burst stays refused for seconds, however busy the machine.
      '--submit-rate',
      '1',
      '--submit-burst',
      '50',
      '--max-queued-per-key',
      '200',
      '--max-queued',
      '300',
    ],
  });
});
cleanUpAfterAll();

async function newKey(name: string): Promise<string> {
  const created = await postJson(coordinator.url, '/api/keys', coordinator.adminKey, {
    name,
    role: 'submitter',
  });
  return ((await created.json()) as { secret: string }).secret;
}

/** `count` tasks that stay queued: this coordinator has no worker. */
const tasks = (count: number, group: string): TaskSpecInput[] =>
  Array.from({ length: count }, () => ({ kind: 'command', payload: { command: 'true' }, group }));

const submit = (key: string, count: number, group: string) =>
  postJson(coordinator.url, '/api/tasks/submit', key, tasks(count, group));

describe('admission control', () => {
  it("a key past its rate gets 429 rate_limited with Retry-After, its body unread; the SDK waits it out; others' keys and reads go on", async () => {
    const key = await newKey('flood');
    expect((await submit(key, 60, 'flood')).status).toBe(201);
    const refused = await submit(key, 1, 'flood');
    expect(refused.status).toBe(429);
    // About 11 s: the key owes 10 tasks and gets one a second.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
    expect(refused.headers.get('connection')).toBe('close');
    const error = (await refused.json()) as { error: { code: string; retryAfterMs: number } };
    expect(error.error).toMatchObject({ code: 'rate_limited' });
    expect(error.error.retryAfterMs).toBeGreaterThan(0);

    // Over WebSocket the refusal says the same; a client told not to wait gets it as thrown.
    const impatient = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: key,
      admissionWaitMs: 0,
    });
    try {
      const thrown = await impatient.submit(tasks(1, 'flood')).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(CoordinatorError);
      expect(thrown).toMatchObject({ code: 'rate_limited' });
      expect((thrown as CoordinatorError).retryAfterMs).toBeGreaterThan(0);
    } finally {
      await impatient.close();
    }

    // Another key, the admin key and reads are not held back by the flooding one.
    expect((await submit(await newKey('calm'), 10, 'calm')).status).toBe(201);
    expect((await submit(coordinator.adminKey, 10, 'admin')).status).toBe(201);
    const health = await fetch(`${coordinator.url}/api/health`);
    expect(health.status).toBe(200);

    // The SDK waits each Retry-After and sends the same tasks again, once each: a key that
    // used its burst is refused for about a second, then admitted.
    const patientKey = await newKey('patient');
    expect((await submit(patientKey, 50, 'patient')).status).toBe(201);
    const patient = await DtfClient.connect({ urls: [coordinator.wsUrl], token: patientKey });
    try {
      const ids = await patient.submit(tasks(3, 'patient-sdk'));
      expect(new Set(ids).size).toBe(3);
    } finally {
      await patient.close();
    }
    const { tasks: stored } = await getJson<{ tasks: unknown[] }>(
      coordinator.url,
      '/api/tasks?group=patient-sdk',
      coordinator.adminKey,
    );
    expect(stored).toHaveLength(3);
  });

  it('bounds the unfinished tasks of a key and of the coordinator: 429 queue_full naming the bound', async () => {
    // Unfinished now: 60 of 'flood', 10 of 'calm', 53 of 'patient', 10 of the admin key's.
    // 200 per key, 300 in all.
    const perKey = await submit(coordinator.adminKey, 191, 'admin-2');
    expect(perKey.status).toBe(429);
    expect(perKey.headers.get('retry-after')).toBe('1');
    const keyError = await errorOf(perKey);
    expect(keyError.code).toBe('queue_full');
    expect(keyError.message).toContain('this key has 10 unfinished tasks and may have 200');

    expect((await submit(await newKey('bounded'), 50, 'b')).status).toBe(201);
    const overall = await submit(coordinator.adminKey, 150, 'admin-2');
    expect(overall.status).toBe(429);
    expect((await errorOf(overall)).message).toMatch(
      /the coordinator holds 1\d\d unfinished tasks and may hold 300/,
    );
    // A refused submit stored nothing.
    const { tasks: stored } = await getJson<{ tasks: unknown[] }>(
      coordinator.url,
      '/api/tasks?group=admin-2',
      coordinator.adminKey,
    );
    expect(stored).toHaveLength(0);
  });
});
