import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  decodeMessage,
  InboundMessage,
  MAX_DISTINCT_KEYS,
  MAX_MESSAGE_LENGTHS,
  protocolJsonSchema,
  RaftFrame,
  ToClientMessage,
  ToWorkerMessage,
} from '../../../protocol/index.js';
import { Prng } from '../../sim/prng.js';

const decode = (raw: string) => decodeMessage(raw, InboundMessage);
const decodeBounded = (raw: string) =>
  decodeMessage(raw, InboundMessage, {
    maxLengths: MAX_MESSAGE_LENGTHS,
    maxDistinctKeys: MAX_DISTINCT_KEYS,
  });

/** A JSON array nested `levels` deep, as text (no value this deep can be built or printed). */
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('decodeMessage', () => {
  it('names malformed JSON', () => {
    expect(decode('{"v":1,')).toMatchObject({ ok: false, error: { code: 'bad_json' } });
  });

  it('names an unknown message type and lists the known ones', () => {
    const result = decode('{"v":1,"type":"launch","id":"r1"}');
    expect(result).toMatchObject({ ok: false, id: 'r1', error: { code: 'unknown_type' } });
    expect(!result.ok && result.error.message).toContain("unknown message type 'launch'");
    expect(!result.ok && result.error.message).toContain('submit');
  });

  it('names an unsupported protocol version', () => {
    expect(decode('{"v":99,"type":"heartbeat"}')).toMatchObject({
      ok: false,
      error: { code: 'unsupported_version' },
    });
  });

  it('names the bad field of a schema violation', () => {
    const result = decode(
      '{"v":1,"type":"submit","id":"r","tasks":[{"kind":"command","payload":{"command":""}}]}',
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(!result.ok && result.error.message).toContain('tasks[0].payload.command');
  });

  it('names an unknown task kind', () => {
    const result = decode(
      '{"v":1,"type":"submit","id":"r","tasks":[{"kind":"teleport","payload":{}}]}',
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_task_kind' } });
    expect(!result.ok && result.error.message).toContain('"teleport"');
  });

  it('rejects unknown fields in a task spec', () => {
    const result = decode(
      '{"v":1,"type":"submit","id":"r","tasks":[{"kind":"command","payload":{"command":"x"},"priorty":3}]}',
    );
    expect(!result.ok && result.error.message).toContain('priorty');
  });

  it('fills defaults of a valid submit', () => {
    const result = decode(
      '{"v":1,"type":"submit","id":"r","tasks":[{"kind":"command","payload":{"command":"x"}}]}',
    );
    expect(result.ok && result.message).toMatchObject({
      tasks: [{ priority: 0, timeoutMs: 600_000, retry: { maxRetries: 3 }, payload: { args: [] } }],
    });
  });

  it('publishes a JSON Schema of every message family', () => {
    const schema = protocolJsonSchema();
    expect(Object.keys(schema.$defs as object)).toEqual(
      expect.arrayContaining(['TaskSpec', 'ToCoordinator', 'ToWorker', 'ToClient', 'Capabilities']),
    );
  });
});

describe('decodeMessage without a known type', () => {
  afterEach(() => vi.restoreAllMocks());

  const pad = 'x'.repeat(1_000_000);
  const cases: Array<[string, string, string, RegExp]> = [
    [
      'an unknown type',
      `{"v":1,"type":"explode","id":"r","pad":"${pad}"}`,
      'unknown_type',
      /unknown message type 'explode' \(expected one of: .*submit/,
    ],
    [
      'no type',
      `{"v":1,"id":"r","pad":["${pad}"]}`,
      'unknown_type',
      /unknown message type no type/,
    ],
    [
      'a type that is not a string',
      `{"v":1,"id":"r","type":["submit"]}`,
      'unknown_type',
      /no type/,
    ],
    [
      'an array',
      `[${'1,'.repeat(100_000)}1]`,
      'invalid_message',
      /^a message must be a JSON object$/,
    ],
    ['a string', JSON.stringify(pad), 'invalid_message', /^a message must be a JSON object$/],
    ['no text', '', 'bad_json', /^malformed JSON: the text is empty$/],
    ['not JSON', `hello ${pad}`, 'bad_json', /^malformed JSON: unexpected "h" at position 0$/],
    [
      'an unfinished object',
      `{"v":1,"id":"r","pad":"${pad}","type":`,
      'bad_json',
      /^malformed JSON: the text ends inside the object$/,
    ],
    [
      'text after the object',
      `{"v":1,"id":"r","type":"explode"} {}`,
      'bad_json',
      /^malformed JSON: text after the end of the object/,
    ],
  ];
  for (const [what, raw, code, message] of cases) {
    it(`answers ${what} from the outline, never calling JSON.parse`, () => {
      const parse = vi.spyOn(JSON, 'parse');
      const result = decodeBounded(raw);
      expect(parse).not.toHaveBeenCalled();
      expect(result).toMatchObject({ ok: false, error: { code } });
      expect(!result.ok && result.error.message).toMatch(message);
      if (raw.includes('"id":"r"')) expect(result).toMatchObject({ id: 'r' });
    });
  }

  it('still parses a known type to name what is wrong with it', () => {
    expect(decodeBounded('{"v":1,"type":"query","id":"q",}')).toMatchObject({
      ok: false,
      id: 'q',
      error: { code: 'bad_json', message: expect.stringMatching(/^malformed JSON: /) },
    });
  });
});

describe('decodeMessage on hostile input', () => {
  const DEEP = deep(100_000);
  // Each of these once threw "Maximum call stack size exceeded" while the error was written.
  const deepAt: Array<[string, string]> = [
    ['v', `{"v":${DEEP},"type":"heartbeat"}`],
    ['tasks[0].kind', `{"v":1,"type":"submit","id":"r","tasks":[{"kind":${DEEP},"payload":{}}]}`],
    [
      'capabilities.kind',
      `{"v":1,"type":"register","workerId":"w","name":"n","capabilities":{"kind":${DEEP}},"labels":{},"slots":1,"inFlight":[]}`,
    ],
    [
      'results[0].result.output.kind',
      `{"v":1,"type":"result","results":[{"taskId":"t","attempt":1,"leaseToken":1,"result":{"status":"failed","durationMs":1,"output":{"kind":${DEEP}}}}]}`,
    ],
    ['id', `{"v":1,"type":"query","id":${DEEP}}`],
    ['type', `{"v":1,"type":${DEEP}}`],
  ];

  for (const [path, raw] of deepAt) {
    it(`refuses a 100,000-deep value at ${path} with a short error, with or without bounds`, () => {
      for (const result of [decode(raw), decodeBounded(raw)]) {
        expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
        expect(!result.ok && result.error.message).toMatch(/nested deeper than 32 levels/);
      }
    });
  }

  it('names a deep value at a task kind within the depth bound without printing it', () => {
    const result = decode(
      `{"v":1,"type":"submit","id":"r","tasks":[{"kind":${deep(20)},"payload":{}}]}`,
    );
    expect(result).toMatchObject({ ok: false, id: 'r', error: { code: 'unknown_task_kind' } });
    expect(!result.ok && result.error.message).toContain('unknown task kind an array of 1');
  });

  it('quotes at most a short preview of a huge type, version or kind', () => {
    const huge = 'x'.repeat(1_000_000);
    for (const raw of [
      JSON.stringify({ v: 1, type: huge }),
      JSON.stringify({ v: huge, type: 'heartbeat' }),
      JSON.stringify({ v: 1, type: 'submit', id: 'r', tasks: [{ kind: huge, payload: {} }] }),
    ]) {
      const result = decode(raw);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.message.length).toBeLessThan(300);
    }
  });

  it('keeps an error short when a spec has thousands of unknown keys', () => {
    const spec = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`key${i}`, 1]));
    const raw = JSON.stringify({
      v: 1,
      type: 'submit',
      id: 'r',
      tasks: [{ kind: 'command', payload: { command: 'x' }, ...spec }],
    });
    const result = decodeBounded(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(!result.ok && result.error.message.length).toBeLessThan(2_000);
  });

  it('refuses a message with 100,000 keys before parsing it', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}":1`).join(',');
    const result = decodeBounded(`{"v":1,"type":"result","results":[{${keys}}]}`);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'message_too_large', message: 'more than 4096 different object keys' },
    });
  });

  it('refuses a message over the length bound of its type, naming it', () => {
    const padded = JSON.stringify({ v: 1, type: 'heartbeat', pad: 'x'.repeat(2_000) });
    expect(decodeBounded(padded)).toMatchObject({
      ok: false,
      error: {
        code: 'message_too_large',
        message: expect.stringMatching(/a 'heartbeat' message may be at most 1024 characters/),
      },
    });
    // Unbounded decoding (a worker reading its coordinator) takes the same message.
    expect(decode(padded)).toMatchObject({ ok: true });
  });

  it('asks for admission by type before the body is parsed, and repeats the id', () => {
    const seen: string[] = [];
    const admit = (type: string) => {
      seen.push(type);
      return type === 'submit'
        ? { code: 'forbidden' as const, message: `a worker token may not send '${type}'` }
        : undefined;
    };
    const malformed = '{"v":1,"type":"submit","id":"w1","tasks":[{"kind":';
    expect(decodeMessage(malformed, InboundMessage, { admit })).toMatchObject({
      ok: false,
      id: 'w1',
      error: { code: 'forbidden' },
    });
    expect(decodeMessage('{"v":1,"type":"heartbeat"}', InboundMessage, { admit })).toMatchObject({
      ok: true,
    });
    // Unknown types are named as such, not refused by the permission check.
    expect(decodeMessage('{"v":1,"type":"explode"}', InboundMessage, { admit })).toMatchObject({
      ok: false,
      error: { code: 'unknown_type' },
    });
    expect(seen).toEqual(['submit', 'heartbeat']);
  });

  it('never throws on 5,000 seeded mutations of valid messages, for every decoder', () => {
    const seed = 12;
    const prng = new Prng(seed);
    const samples = [
      '{"v":1,"type":"submit","id":"r","tasks":[{"kind":"command","payload":{"command":"x","args":["a"]},"labels":{"a":"b"}}]}',
      '{"v":1,"type":"register","workerId":"w","name":"n","capabilities":{"kind":"node","os":"l","arch":"x","cpus":1,"memoryMb":1,"nodeVersion":"v","gpus":[],"executionProviders":[],"taskKinds":["command"],"features":[]},"labels":{},"slots":1,"inFlight":[{"taskId":"t","attempt":1,"leaseToken":1}]}',
      '{"v":1,"type":"result","results":[{"taskId":"t","attempt":1,"leaseToken":1,"result":{"status":"failed","durationMs":1,"output":{"kind":"command","exitCode":1,"signal":null,"stdout":"","stderr":"","stdoutTruncated":false,"stderrTruncated":false}}}]}',
      '{"v":1,"type":"raft","messages":[{"from":"a","to":"b","term":1,"type":"Append","prevIndex":0,"prevTerm":0,"entries":[{"index":1,"term":1,"kind":"normal","data":"{}"}],"commit":0}]}',
    ];
    const pieces = [
      '[',
      ']',
      '{',
      '}',
      '"',
      '\\',
      ',',
      ':',
      '"type"',
      '"id"',
      deep(40),
      '1e999',
      '\\u0000',
      'null',
    ];
    for (let i = 0; i < 5_000; i++) {
      const chars = prng.pick(samples).split('');
      for (let edits = prng.range(1, 4); edits > 0; edits--) {
        const at = prng.int(chars.length + 1);
        if (prng.chance(0.5)) chars.splice(at, prng.range(0, 3));
        else chars.splice(at, 0, prng.pick(pieces));
      }
      const raw = chars.join('');
      try {
        decodeBounded(raw);
        decodeMessage(raw, ToWorkerMessage);
        decodeMessage(raw, ToClientMessage);
        decodeMessage(raw, RaftFrame);
      } catch (error) {
        throw new Error(`seed ${seed}, mutation ${i} threw on ${raw.slice(0, 200)}: ${error}`);
      }
    }
  });
});
