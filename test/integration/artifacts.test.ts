import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CoordinatorProcess,
  spawnDtf,
  startCoordinatorProcess,
} from '../support/processes.js';
import { errorOf, getJson, postJson } from '../support/rest.js';
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
    const res = await postJson(coordinator.url, '/api/tasks/submit', coordinator.adminKey, {
      tasks: [{ kind: 'model', payload: { model: missing, executionProvider: 'cpu', inputs: {} } }],
    });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toContain(
      `tasks[0].payload.model: artifact ${missing} is not in the store`,
    );
    expect(await getJson(coordinator.url, '/api/tasks', coordinator.adminKey)).toEqual({
      tasks: [],
    });
  });
});

describe('artifacts of a coordinator started with a relative data dir (the README tour: --data-dir .dtf)', () => {
  let url: string;
  let keys: { adminKey: string; workerToken: string };
  beforeAll(async () => {
    const cwd = tempDir();
    const started = spawnDtf(['coordinator', '--port', '0', '--data-dir', '.dtf'], {}, cwd);
    url = (await started.waitFor(/DTF coordinator listening on (http:\/\/\S+)/))[1]!;
    keys = JSON.parse(readFileSync(join(cwd, '.dtf', 'credentials.json'), 'utf8'));
  });

  const get = (name: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${url}/api/artifacts/${name}`, {
      method,
      headers: { authorization: `Bearer ${keys.workerToken}`, ...headers },
    });

  it('serves a stored file by its hex and by the sha256:<hex> ref its upload answered', async () => {
    const bytes = new TextEncoder().encode('a model behind a dot directory');
    const hex = createHash('sha256').update(bytes).digest('hex');
    const stored = await fetch(`${url}/api/artifacts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.adminKey}` },
      body: bytes,
    });
    const { ref } = (await stored.json()) as { ref: string };
    expect(ref).toBe(`sha256:${hex}`);

    for (const name of [hex, ref, encodeURIComponent(ref)]) {
      const got = await get(name);
      expect(got.status, name).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
      expect(got.headers.get('etag')).toBe(`"${hex}"`);
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
    }
    const head = await get(ref, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    // As a browser revalidates (fetch() adds `cache-control: no-cache`, which forbids a 304).
    const revalidated = await get(hex, {
      'if-none-match': `"${hex}"`,
      'cache-control': 'max-age=0',
    });
    expect(revalidated.status).toBe(304);
  });

  it('names what it expected when the name is not a digest', async () => {
    const res = await get('sha256:abc');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: 'not_found',
        message:
          "no artifact 'sha256:abc' (expected sha256:<64 hex digits>, or the 64 hex digits alone)",
      },
    });
  });
});
