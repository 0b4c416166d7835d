import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

const LIMIT = 1024;
let coordinator: CoordinatorProcess;
const dataDir = tempDir();
beforeAll(async () => {
  coordinator = await startCoordinatorProcess(dataDir, {
    extraArgs: ['--max-artifact-bytes', String(LIMIT)],
  });
});
cleanUpAfterAll();

const put = (body: Uint8Array, token: string) =>
  fetch(`${coordinator.url}/api/artifacts`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body,
  });

describe('artifact store', () => {
  it('stores a file under its SHA-256 once and serves it to workers', async () => {
    const bytes = new TextEncoder().encode('pretend this is an ONNX model');
    const hex = createHash('sha256').update(bytes).digest('hex');
    const first = await put(bytes, coordinator.adminKey);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ ref: `sha256:${hex}`, size: bytes.length, created: true });
    expect((await put(bytes, coordinator.adminKey)).status).toBe(200);

    const got = await fetch(`${coordinator.url}/api/artifacts/${hex}`, {
      headers: { authorization: `Bearer ${coordinator.workerToken}` },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
  });

  it('refuses a file over the size limit, naming both sizes', async () => {
    const res = await put(new Uint8Array(LIMIT + 1), coordinator.adminKey);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        code: 'message_too_large',
        message: `request body of ${LIMIT + 1} bytes exceeds the limit of ${LIMIT} bytes`,
      },
    });
  });

  it('refuses a streamed body of unknown length once it passes the limit, and keeps none of it', async () => {
    const chunk = new Uint8Array(LIMIT / 2).fill(7);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${coordinator.url}/api/artifacts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${coordinator.adminKey}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        code: 'message_too_large',
        message: `request body exceeds the limit of ${LIMIT} bytes`,
      },
    });
    expect(readdirSync(join(dataDir, 'artifacts')).filter((f) => f.endsWith('.partial'))).toEqual(
      [],
    );
  });

  it('lets only the admin key upload', async () => {
    expect((await put(new Uint8Array(4), coordinator.workerToken)).status).toBe(403);
  });

  it('rejects a model task whose artifact is not stored, and stores nothing', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const res = await fetch(`${coordinator.url}/api/tasks/submit`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${coordinator.adminKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        tasks: [
          { kind: 'model', payload: { model: missing, executionProvider: 'cpu', inputs: {} } },
        ],
      }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      `tasks[0].payload.model: artifact ${missing} is not in the store`,
    );
    const tasks = await fetch(`${coordinator.url}/api/tasks`, {
      headers: { authorization: `Bearer ${coordinator.adminKey}` },
    }).then((r) => r.json());
    expect(tasks).toEqual({ tasks: [] });
  });
});
