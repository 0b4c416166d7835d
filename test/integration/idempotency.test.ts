import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorError, DtfClient } from '../../client/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { errorOf, getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

const postSubmit = (body: unknown) =>
  postJson(coordinator.url, '/api/tasks/submit', coordinator.adminKey, body);

const spec = (command: string, idempotencyKey: string): TaskSpecInput => ({
  kind: 'command',
  payload: { command },
  group: idempotencyKey,
  idempotencyKey,
});

async function groupSize(group: string): Promise<number> {
  const { tasks } = await getJson<{ tasks: unknown[] }>(
    coordinator.url,
    `/api/tasks?group=${group}`,
    coordinator.adminKey,
  );
  return tasks.length;
}

describe('an idempotency key reused', () => {
  it('over REST: an identical repeat gets the first id, another spec 409 naming the key', async () => {
    const first = await postSubmit(spec('echo one', 'rest-key'));
    expect(first.status).toBe(201);
    const { taskIds } = (await first.json()) as { taskIds: string[] };
    const again = await postSubmit(spec('echo one', 'rest-key'));
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ taskIds });

    const other = await postSubmit([
      spec('echo fresh', 'rest-fresh'),
      spec('echo two', 'rest-key'),
    ]);
    expect(other.status).toBe(409);
    const error = await errorOf(other);
    expect(error.code).toBe('conflict');
    expect(error.message).toContain("tasks[1].idempotencyKey: 'rest-key'");
    expect(error.message).toContain(taskIds[0]);
    // Refused as a whole: the other task of that submit was not stored either.
    expect(await groupSize('rest-fresh')).toBe(0);
    expect(await groupSize('rest-key')).toBe(1);
  });

  it('over WebSocket: the same, as a conflict error to the submit', async () => {
    const [id] = await client.submit([spec('echo one', 'ws-key')]);
    expect(await client.submit([spec('echo one', 'ws-key')])).toEqual([id]);
    const refused = await client.submit([spec('echo two', 'ws-key')]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CoordinatorError);
    expect(refused).toMatchObject({ code: 'conflict' });
    expect((refused as Error).message).toContain("'ws-key' already stands for task");
    expect(await groupSize('ws-key')).toBe(1);
  });
});
