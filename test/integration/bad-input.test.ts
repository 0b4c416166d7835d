import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

const MAX_BYTES = 64 * 1024;
let coordinator: CoordinatorProcess;

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--max-message-bytes', String(MAX_BYTES)],
  });
});
cleanUpAfterAll();

function open(token: string | undefined): Promise<WebSocket> {
  const headers: Record<string, string> =
    token === undefined ? {} : { authorization: `Bearer ${token}` };
  const socket = new WebSocket(coordinator.wsUrl, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
    });
  });
}

function reply(
  socket: WebSocket,
  payload: string,
): Promise<{ type: string; code?: string; message?: string; id?: string }> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(data.toString())));
    socket.send(payload);
  });
}

/** Whatever is stored, read back through REST; compared before and after every bad input. */
async function stored(): Promise<unknown> {
  const [tasks, workers] = await Promise.all([
    getJson(coordinator.url, '/api/tasks?limit=10000', coordinator.adminKey),
    getJson(coordinator.url, '/api/workers', coordinator.adminKey),
  ]);
  return { tasks, workers };
}

const validSubmit = (id: string) =>
  JSON.stringify({
    v: 1,
    type: 'submit',
    id,
    tasks: [{ kind: 'command', payload: { command: 'true' }, group: 'ok' }],
  });

describe('bad input over /ws', () => {
  const cases: Array<[string, () => string, string, RegExp]> = [
    ['malformed JSON', () => '{"v":1,"type":', 'bad_json', /malformed JSON/],
    [
      'unknown message type',
      () => '{"v":1,"type":"explode","id":"x"}',
      'unknown_type',
      /unknown message type 'explode'/,
    ],
    [
      'schema violation',
      () =>
        JSON.stringify({
          v: 1,
          type: 'submit',
          id: 'x',
          tasks: [{ kind: 'command', payload: { command: 42 } }],
        }),
      'invalid_message',
      /tasks\[0\]\.payload\.command/,
    ],
    [
      'unknown task kind',
      () =>
        JSON.stringify({
          v: 1,
          type: 'submit',
          id: 'x',
          tasks: [{ kind: 'quantum', payload: {} }],
        }),
      'unknown_task_kind',
      /unknown task kind "quantum"/,
    ],
    [
      'oversized message',
      () =>
        JSON.stringify({
          v: 1,
          type: 'submit',
          id: 'x',
          tasks: [{ kind: 'command', payload: { command: 'x'.repeat(MAX_BYTES) } }],
        }),
      'message_too_large',
      new RegExp(`exceeds the limit of ${MAX_BYTES} bytes`),
    ],
  ];

  for (const [name, payload, code, message] of cases) {
    it(`${name}: clear error, connection and coordinator keep serving, nothing stored changes`, async () => {
      const socket = await open(coordinator.adminKey);
      const before = await stored();
      const error = await reply(socket, payload());
      expect(error).toMatchObject({ type: 'error', code });
      expect(error.message).toMatch(message);
      expect(await stored()).toEqual(before);
      // The same connection still works.
      const ok = await reply(
        socket,
        JSON.stringify({ v: 1, type: 'query', id: 'q', group: 'none' }),
      );
      expect(ok).toMatchObject({ type: 'tasks', id: 'q', tasks: [] });
      socket.close();
    });
  }

  it('a worker token may not submit', async () => {
    const socket = await open(coordinator.workerToken);
    const before = await stored();
    expect(await reply(socket, validSubmit('w1'))).toMatchObject({
      type: 'error',
      code: 'forbidden',
      id: 'w1',
    });
    expect(await stored()).toEqual(before);
    socket.close();
  });

  it('rejects a missing or wrong token at the handshake', async () => {
    await expect(open(undefined)).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/missing token/),
    });
    await expect(open('nope')).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/invalid token/),
    });
    const socket = await open(coordinator.adminKey);
    expect(await reply(socket, validSubmit('after'))).toMatchObject({
      type: 'submitted',
      id: 'after',
    });
    socket.close();
  });
});

describe('bad input over REST', () => {
  const post = (path: string, body: string, token?: string) =>
    fetch(`${coordinator.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });

  it('names each problem with a status code and stores nothing', async () => {
    const before = await stored();
    const cases: Array<[string, string | undefined, number, string]> = [
      ['{"tasks": [', coordinator.adminKey, 400, 'bad_json'],
      [
        '{"tasks": [{"kind":"command","payload":{}}]}',
        coordinator.adminKey,
        400,
        'invalid_message',
      ],
      ['{"tasks": [{"kind":"warp","payload":{}}]}', coordinator.adminKey, 400, 'unknown_task_kind'],
      [
        JSON.stringify({
          tasks: [{ kind: 'command', payload: { command: 'x'.repeat(MAX_BYTES) } }],
        }),
        coordinator.adminKey,
        413,
        'message_too_large',
      ],
      ['{"tasks": []}', undefined, 401, 'unauthorized'],
      ['{"tasks": []}', 'wrong', 401, 'unauthorized'],
      ['{"tasks": []}', coordinator.workerToken, 403, 'forbidden'],
    ];
    // The exact path is answered before Express; the other spelling goes through it.
    for (const path of ['/api/tasks/submit', '/api/tasks/submit/']) {
      for (const [body, token, status, code] of cases) {
        const res = await post(path, body, token);
        expect({
          path,
          status: res.status,
          code: ((await res.json()) as { error: { code: string } }).error.code,
        }).toEqual({
          path,
          status,
          code,
        });
      }
    }
    expect(await stored()).toEqual(before);
    const health = await fetch(`${coordinator.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
