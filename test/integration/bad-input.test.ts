import { beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorProcess, startCoordinatorProcess } from '../support/processes.js';
import { RawSocket } from '../support/raw-socket.js';
import { errorOf, getJson } from '../support/rest.js';
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

/** What the coordinator answers, as these tests read it. */
interface Answer {
  type: string;
  code?: string;
  message?: string;
  id?: string;
}

const open = (token: string | undefined) => RawSocket.open<Answer>(coordinator.wsUrl, token);

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
      const error = await socket.request(payload());
      expect(error).toMatchObject({ type: 'error', code });
      expect(error.message).toMatch(message);
      expect(await stored()).toEqual(before);
      // The same connection still works.
      const ok = await socket.request({ v: 1, type: 'query', id: 'q', group: 'none' });
      expect(ok).toMatchObject({ type: 'tasks', id: 'q', tasks: [] });
      socket.close();
    });
  }

  it('a worker token may not submit', async () => {
    const socket = await open(coordinator.workerToken);
    const before = await stored();
    expect(await socket.request(validSubmit('w1'))).toMatchObject({
      type: 'error',
      code: 'forbidden',
      id: 'w1',
    });
    expect(await stored()).toEqual(before);
    socket.close();
  });

  it('refuses values nested thousands deep anywhere, even from a worker token, and lives', async () => {
    const deep = `${'['.repeat(6_000)}${']'.repeat(6_000)}`;
    const cases: Array<[string, string]> = [
      ['v of a heartbeat', `{"v":${deep},"type":"heartbeat"}`],
      [
        'tasks[0].kind of a submit',
        `{"v":1,"type":"submit","id":"d1","tasks":[{"kind":${deep},"payload":{}}]}`,
      ],
      [
        'capabilities.kind of a register',
        `{"v":1,"type":"register","workerId":"w","name":"n","capabilities":{"kind":${deep}},"labels":{},"slots":1,"inFlight":[]}`,
      ],
      [
        'results[0].result.output.kind of a result',
        `{"v":1,"type":"result","results":[{"taskId":"t","attempt":1,"leaseToken":1,"result":{"status":"failed","durationMs":1,"output":{"kind":${deep}}}}]}`,
      ],
    ];
    for (const token of [coordinator.workerToken, coordinator.adminKey]) {
      const socket = await open(token);
      for (const [where, payload] of cases) {
        const error = await socket.request(payload);
        expect({ where, ...error }).toMatchObject({ where, type: 'error' });
        // A worker token's submit is refused by its type before the body is read.
        expect(error.code).toMatch(/^(invalid_message|forbidden)$/);
        expect(error.message!.length).toBeLessThan(200);
      }
      expect(
        await socket.request({ v: 1, type: 'heartbeat', pad: 'x'.repeat(2_000) }),
      ).toMatchObject({ code: 'message_too_large', message: expect.stringMatching(/'heartbeat'/) });
      socket.close();
    }
    expect((await fetch(`${coordinator.url}/api/health`)).status).toBe(200);
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
    expect(await socket.request(validSubmit('after'))).toMatchObject({
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
          code: (await errorOf(res)).code,
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

  const call = async (method: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(`${coordinator.url}${path}`, {
      method,
      ...init,
      headers: { authorization: `Bearer ${coordinator.adminKey}`, ...init.headers },
    });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    return { path, status: res.status, code: body.error?.code, message: body.error?.message };
  };

  it('answers a malformed %-escape in a path with 400 naming it', async () => {
    for (const [method, path] of [
      ['GET', '/api/tasks/%E0'],
      ['GET', '/api/tasks/%E0/'],
      ['GET', '/api/results/%E0'],
      ['GET', '/api/artifacts/%E0'],
      ['POST', '/api/workers/%E0/drain'],
    ] as const) {
      expect(await call(method, path)).toMatchObject({
        path,
        status: 400,
        code: 'invalid_message',
        message: expect.stringMatching(/malformed %-escape in the path.*%E0/),
      });
    }
    // The same paths, well formed, still route.
    expect(await call('GET', '/api/tasks/no-such')).toMatchObject({ status: 404 });
    expect(await call('GET', '/api/tasks/no-such/')).toMatchObject({ status: 404 });
  });

  it('answers a body in another charset than UTF-8 with 415 naming it', async () => {
    for (const path of ['/api/tasks/submit', '/api/tasks/submit/', '/api/workers/status']) {
      expect(
        await call('POST', path, {
          headers: { 'content-type': 'application/json; charset=latin1' },
          body: '{"tasks":[]}',
        }),
      ).toMatchObject({
        path,
        status: 415,
        code: 'unsupported_media_type',
        message: expect.stringMatching(/charset 'latin1' is not supported/),
      });
    }
  });

  it('rejects a limit or afterSeq that is not a whole number in range, naming it', async () => {
    for (const query of ['limit=abc', 'limit=0', 'limit=1.5', 'limit=-5', 'limit=10001']) {
      expect(await call('GET', `/api/tasks?${query}`)).toMatchObject({
        status: 400,
        code: 'invalid_message',
        message: expect.stringMatching(/invalid tasks query: limit: /),
      });
    }
    for (const query of ['afterSeq=abc', 'afterSeq=-1', 'afterSeq=1.5', 'afterSeq=']) {
      expect(await call('GET', `/api/tasks?${query}`)).toMatchObject({
        status: 400,
        message: expect.stringMatching(/invalid tasks query: afterSeq: /),
      });
    }
    expect(await call('GET', '/api/tasks?state=lost')).toMatchObject({
      status: 400,
      message: expect.stringMatching(/state: /),
    });
    const res = await fetch(`${coordinator.url}/api/tasks?limit=1&afterSeq=0`, {
      headers: { authorization: `Bearer ${coordinator.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tasks: unknown[] }).tasks.length).toBeLessThanOrEqual(1);
  });

  it('refuses a deeply nested or key-stuffed body before parsing it, and a stranger before reading it', async () => {
    const deep = `{"tasks":${'['.repeat(6_000)}${']'.repeat(6_000)}}`;
    const keys = `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    const json = { 'content-type': 'application/json' };
    for (const path of ['/api/tasks/submit', '/api/tasks/submit/', '/api/workers/register']) {
      expect(await call('POST', path, { headers: json, body: deep })).toMatchObject({
        status: 400,
        message: expect.stringMatching(/request body: JSON nested deeper than 32 levels/),
      });
      expect(await call('POST', path, { headers: json, body: keys })).toMatchObject({
        status: 413,
        message: expect.stringMatching(/more than 4096 different object keys/),
      });
      expect(
        await call('POST', path, { headers: { ...json, authorization: '' }, body: '{"tasks": [' }),
      ).toMatchObject({ status: 401, code: 'unauthorized' });
    }
    expect((await fetch(`${coordinator.url}/api/health`)).status).toBe(200);
  });
});
