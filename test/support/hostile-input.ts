import { InboundMessage } from '../../protocol/index.js';
import { Prng } from '../sim/prng.js';

/** A key that makes any task spec invalid (specs are strict). */
const NEVER_VALID = '__fuzz_never_valid__';
const MIB = 1024 * 1024;

/** A JSON array `levels` deep, as text: values this deep cannot be built or printed. */
const deepJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** An object of `count` different keys, as text. */
const wideJson = (count: number) => {
  const members: string[] = [];
  for (let i = 0; i < count; i++) members.push(`"k${i}":${i}`);
  return `{${members.join(',')}}`;
};

let huge: string[] | undefined;

/**
 * The largest messages under the 8 MiB limit (and one just over it), built once for every
 * generator: a 4M-deep array, 660,000 keys, 8 MB strings.
 */
function hugeMessages(): string[] {
  huge ??= [
    `{"v":1,"type":"heartbeat","x":${deepJson(4_000_000)}}`,
    `{"v":1,"type":"result","x":${wideJson(660_000)}}`,
    JSON.stringify({ v: 1, type: 'submit', id: 'h', s: 'z'.repeat(8 * MIB - 100) }),
    JSON.stringify({ v: 1, type: 'heartbeat', s: 'z'.repeat(9 * MIB) }),
  ];
  return huge;
}

/** A REST request to make. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * Seeded hostile input for a coordinator: messages of every `/ws` type, REST requests and Raft
 * peer frames, each either harmless or invalid, mutated and stuffed with deep, wide and huge
 * values. Nothing it makes can run a task: every `submit` carries a key no task spec accepts
 * (and would run only `true`), registered workers run only `webgpu`, and every worker id,
 * name and Raft sender it uses starts with `fuzz`.
 */
export class HostileInput {
  private readonly prng: Prng;
  private serial = 0;
  /** The largest messages still to send, once each, first. */
  private hugeLeft: number;

  /** Deep, wide and long values up to ~100 KB, built once: building them costs more than sending. */
  private readonly bulky: string[];

  /** `withHuge`: start `wsMessage` with the four largest messages (8 MiB and just over). */
  constructor(
    readonly seed: number,
    withHuge = false,
  ) {
    this.hugeLeft = withHuge ? hugeMessages().length : 0;
    this.prng = new Prng(seed);
    this.bulky = [
      deepJson(33),
      deepJson(6_000),
      deepJson(this.prng.range(1_000, 50_000)),
      wideJson(4_097),
      wideJson(this.prng.range(100, 8_000)),
      JSON.stringify('x'.repeat(this.prng.range(1_000, 100_000))),
      `[${Array.from({ length: 5_000 }, (_, i) => i).join(',')}]`,
      `{"kind":{"kind":{"kind":${deepJson(40)}}}}`,
    ];
  }

  /** One `/ws` message: a text frame, or bytes (a binary frame, or text that is not UTF-8). */
  wsMessage(): { data: string | Buffer; binary: boolean } {
    const p = this.prng;
    if (this.hugeLeft > 0) return { data: hugeMessages()[--this.hugeLeft]!, binary: false };
    const roll = p.next();
    if (roll < 0.002) return { data: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]), binary: false };
    if (roll < 0.004) return { data: this.randomBytes(p.range(1, 2048)), binary: true };
    if (roll < 0.005) return { data: this.structural(), binary: false };
    return { data: this.mutated(this.message(p.pick(MESSAGE_TYPES))), binary: false };
  }

  /** One REST request with the admin key, the worker token, a wrong token or none, to any route or none. */
  restRequest(tokens: { admin: string; worker: string }): HostileRequest {
    const p = this.prng;
    const auth = p.pick([tokens.admin, tokens.worker, 'wrong-token', '']);
    const headers: Record<string, string> = auth === '' ? {} : { authorization: `Bearer ${auth}` };
    const json = (): HostileRequest['headers'] => ({
      ...headers,
      'content-type': p.pick([
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'text/plain',
        'application/json; charset="UTF-8"',
      ]),
      ...(p.chance(0.02) ? { 'content-encoding': p.pick(['gzip', 'br', 'x-fuzz']) } : {}),
    });
    const segment = () =>
      p.pick([
        `fuzz-${this.serial++}`,
        '%E0',
        '%',
        '%%41',
        '%C0%80',
        encodeURIComponent('ü\u0000/'),
        'a'.repeat(p.range(1, 4_000)),
        '0'.repeat(64),
        `sha256:${'a'.repeat(64)}`,
      ]);
    switch (p.int(12)) {
      case 0:
        return { method: 'GET', path: `/api/tasks?${this.query()}`, headers };
      case 1:
        return {
          method: 'GET',
          path: `/api/${p.pick(['tasks', 'results', 'artifacts', 'Tasks'])}/${segment()}${p.pick(['', '/'])}`,
          headers,
        };
      case 2:
      case 3: {
        const body = p.chance(0.7) ? this.mutated(this.invalidSubmitBody()) : this.structural();
        const path = p.pick(['/api/tasks/submit', '/api/tasks/submit/', '/API/tasks/submit']);
        return { method: 'POST', path, headers: json(), body };
      }
      case 4: {
        const body = this.mutated(
          JSON.stringify(p.chance(0.5) ? this.registerBody() : this.statusBody()),
        );
        const path = p.pick(['/api/workers/register', '/api/workers/status']);
        return { method: 'POST', path, headers: json(), body };
      }
      case 5: {
        const body = this.mutated(JSON.stringify({ graceMs: p.pick([0, -1, 1.5, 'x', 10]) }));
        const id = p.chance(0.5) ? `fuzz-${this.serial++}` : segment();
        return { method: 'POST', path: `/api/workers/${id}/drain`, headers: json(), body };
      }
      case 6: {
        // Never a valid transfer (not mutated: a body cut to nothing reads as `{}`, a valid
        // one), as it would move the leadership of a cluster.
        const body = p.pick(['{"to":5}', '{"timeoutMs":-1}', '[]', '{"to":"x","timeoutMs":0}']);
        return { method: 'POST', path: '/api/raft/transfer_leadership', headers: json(), body };
      }
      case 7:
        return {
          method: 'PUT',
          path: '/api/artifacts',
          headers: { ...headers, 'content-type': 'application/octet-stream' },
          body: this.randomBytes(p.range(0, 4_096)),
        };
      case 8: {
        const body = this.raftFrame('fuzz');
        const path = p.pick([
          '/api/raft/append_entries',
          '/api/raft/request_vote',
          '/api/raft/sync_state',
        ]);
        return { method: 'POST', path, headers: json(), body };
      }
      case 9:
        return {
          method: p.pick(['GET', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS']),
          path: p.pick([
            '/api/status',
            '/api/workers',
            '/api/metrics',
            '/api/health',
            '/api/health/db',
            '/api/health/resources',
            '/api/runs',
            `/api/runs/${segment()}?${this.query()}`,
            `/api/results?${this.query()}`,
            '/api/quarantine',
            '/api/webhooks',
            `/api/webhooks/deliveries?${this.query()}`,
            '/worker',
            '/api/nothing',
            `/${segment()}`,
          ]),
          headers,
        };
      case 10: {
        const body = this.structural();
        return {
          method: 'POST',
          path: p.pick([
            '/api/workers/status',
            '/api/tasks',
            '/api/runs',
            `/api/runs/${segment()}/results`,
            '/api/quarantine',
            '/api/quarantine/release',
            '/api/webhooks',
            `/api/webhooks/${segment()}/test`,
            `/api/webhooks/${segment()}/remove`,
            '/api/nothing',
          ]),
          headers: json(),
          body,
        };
      }
      default:
        return { method: 'GET', path: `/api/tasks/${segment()}?${this.query()}`, headers };
    }
  }

  /** A peer frame that no member may act on: stray senders, bad shapes, deep and wide values. */
  raftFrame(memberId: string): string {
    const p = this.prng;
    if (p.chance(0.3)) return this.structural();
    const message = {
      from: `fuzz-${memberId}`,
      to: p.pick(['c1', 'c2', 'c3', 'fuzz']),
      term: p.pick([0, 1, 2 ** 40, -1]),
      type: p.pick(['Append', 'Vote', 'Heartbeat', 'TimeoutNow', 'ReadIndex', 'Snapshot', 'x']),
      prevIndex: 0,
      prevTerm: 0,
      entries: [{ index: 1, term: 1, kind: 'normal', data: '{"type":"Tick","now":1}' }],
      commit: 0,
      lastIndex: 0,
      lastTerm: 0,
      transfer: false,
      context: 'fuzz',
    };
    return this.mutated(JSON.stringify({ v: 1, type: 'raft', messages: [message] }));
  }

  /** A valid-shaped message of `type` (a `submit` never valid), before mutation. */
  private message(type: string): string {
    const p = this.prng;
    const id = p.chance(0.9) ? `r${this.serial++}` : undefined;
    const lease = () => ({
      taskId: p.chance(0.5) ? `fuzz-${p.int(100)}` : '00000000-0000-0000-0000-000000000000',
      attempt: p.range(1, 3),
      leaseToken: p.range(1, 1_000),
    });
    const bodies: Record<string, () => Record<string, unknown>> = {
      heartbeat: () => ({}),
      register: () => ({ ...this.registerBody(), inFlight: p.chance(0.5) ? [] : [lease()] }),
      progress: () => ({ ...lease(), phase: p.pick(['started', 'message']), message: 'fuzz' }),
      result: () => ({
        results: [{ ...lease(), result: this.taskResult() }],
      }),
      draining: () => (p.chance(0.5) ? {} : { graceMs: p.range(0, 1_000) }),
      release: () => ({ leases: [lease()], reason: 'fuzz' }),
      submit: () => JSON.parse(this.invalidSubmitBody()) as Record<string, unknown>,
      cancel: () =>
        p.chance(0.5) ? { group: `fuzz-${p.int(10)}` } : { taskIds: [`fuzz-${p.int(10)}`] },
      retarget: () => ({
        taskIds: [`fuzz-${p.int(10)}`],
        requirements: p.chance(0.5) ? { workers: [`fuzz-w${p.int(50)}`] } : {},
        revokeRunning: p.chance(0.5),
      }),
      query: () => ({
        group: `fuzz-${p.int(10)}`,
        limit: p.pick([1, 10, 10_000, 0, 1.5]),
        afterSeq: p.pick([0, 5, -1]),
      }),
      subscribe: () => ({ group: `fuzz-${p.int(10)}` }),
      unsubscribe: () => ({ subscription: `s${p.int(10)}` }),
      'watch-dashboard': () => ({
        workers: {
          offset: p.pick([0, 5, -1, 1e9]),
          limit: p.pick([1, 50, 0, 101]),
          filter: 'fuzz',
        },
      }),
      explode: () => ({}),
    };
    const body = (bodies[type] ?? bodies.explode!)();
    return JSON.stringify({ v: 1, type, ...(id === undefined ? {} : { id }), ...body });
  }

  private registerBody(): Record<string, unknown> {
    const p = this.prng;
    const n = p.int(50);
    return {
      workerId: `fuzz-w${n}`,
      name: `fuzz-w${n}`,
      capabilities: {
        kind: 'node',
        os: 'linux',
        arch: 'x64',
        cpus: 1,
        memoryMb: 1,
        nodeVersion: 'v0',
        gpus: [],
        executionProviders: [],
        taskKinds: ['webgpu'],
        features: [],
      },
      labels: { fuzz: 'yes' },
      slots: p.pick([1, 2, 0, 2_000]),
    };
  }

  private statusBody(): Record<string, unknown> {
    const p = this.prng;
    return {
      workerId: `fuzz-w${p.int(50)}`,
      status: p.pick(['alive', 'lost', 'zombie']),
      reason: 'fuzz',
    };
  }

  private invalidSubmitBody(): string {
    const p = this.prng;
    const task = {
      kind: p.pick(['command', 'vitest', 'model', 'webgpu', 'page-test', 'warp']),
      payload: { command: 'true' },
      [NEVER_VALID]: true,
    };
    return JSON.stringify({ v: 1, type: 'submit', id: `r${this.serial++}`, tasks: [task] });
  }

  private taskResult(): Record<string, unknown> {
    const p = this.prng;
    const outputs: Array<Record<string, unknown>> = [
      {
        kind: 'command',
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
      },
      { kind: 'vitest', tests: [], passed: 0, failed: 0, skipped: 0 },
      {
        kind: 'page-test',
        tests: [{ name: 'n', file: 'f', status: 'passed', durationMs: 1 }],
        passed: 1,
        failed: 0,
        skipped: 0,
      },
      { kind: 'webgpu', adapter: {}, compileMs: 1, dispatchMs: 1, buffers: { 0: [1, 2] } },
      { kind: 'model', executionProvider: 'cpu', runtime: 'x', timings: {}, outputs: {} },
      { kind: 'nope' },
    ];
    return {
      status: p.pick(['succeeded', 'failed', 'timed_out', 'unsupported', 'won']),
      durationMs: p.pick([1, -1, 1e308]),
      ...(p.chance(0.7) ? { output: p.pick(outputs) } : {}),
    };
  }

  private query(): string {
    const p = this.prng;
    const parts: string[] = [];
    for (let i = p.int(4); i > 0; i--) {
      const name = p.pick(['limit', 'afterSeq', 'state', 'group', 'x']);
      const value = p.pick([
        'abc',
        '0',
        '1.5',
        '-5',
        '10',
        '10001',
        '',
        '%E0',
        'queued',
        'fuzz',
        '9'.repeat(30),
      ]);
      parts.push(`${name}=${value}`);
    }
    return parts.join('&');
  }

  /**
   * The text of `json` after up to three edits: a value replaced by a deep, wide, long or
   * mistyped one, a member added, the version changed, the type key duplicated or escaped, the
   * text cut or a character inserted.
   */
  private mutated(json: string): string {
    const p = this.prng;
    let text = json;
    for (let edits = p.int(4); edits > 0; edits--) {
      switch (p.int(9)) {
        case 0:
          text = text.replace(
            /"(kind|v|id|type|tasks|capabilities|results|labels|output|leases|workerId|graceMs)":/,
            `"$1":${this.junkValue()},"_$1":`,
          );
          break;
        case 1:
          text = text.replace(/"kind":"[^"]*"/, `"kind":${this.junkValue()}`);
          break;
        case 2:
          text = text.replace(/^\{/, `{"extra${p.int(5)}":${this.junkValue()},`);
          break;
        case 3:
          text = text.replace(/"v":1/, `"v":${p.pick(['2', '"1"', 'null', this.junkValue()])}`);
          break;
        case 4:
          text = text.replace(
            /^\{/,
            p.pick([
              '{"type":"heartbeat",',
              '{"\\u0074ype":"submit",',
              '{"type":"query","type":"submit",',
            ]),
          );
          break;
        case 5:
          text = text.slice(0, p.int(text.length + 1));
          break;
        case 6: {
          const at = p.int(text.length + 1);
          const char = p.pick(['"', '\\', '{', ']', ',', '\u0000', '\ud800', 'ü']);
          text = text.slice(0, at) + char + text.slice(at);
          break;
        }
        case 7:
          text = text.replace(
            /"id":"[^"]*"/,
            `"id":${p.pick([this.junkValue(), '7', `"${'i'.repeat(200)}"`])}`,
          );
          break;
        default:
          text = text.replace(/\}$/, `,"tail":${this.junkValue()}}`);
      }
    }
    return text;
  }

  /** A JSON value, as text: mostly small; a few deep, wide or long (up to ~100 KB). */
  private junkValue(): string {
    const p = this.prng;
    if (p.chance(0.01)) return p.pick(this.bulky);
    switch (p.int(5)) {
      case 0:
        return deepJson(p.range(1, 200));
      case 1:
        return wideJson(p.range(0, 50));
      case 2:
        return JSON.stringify('x'.repeat(p.range(0, 300)));
      case 3:
        return p.pick(['1e999', '-0', '1e-400', '123456789012345678901234567890', '0.1', '[1,2]']);
      default:
        return p.pick([
          'null',
          'true',
          '{}',
          '[]',
          '""',
          '"\\ud800"',
          '"\\u0000"',
          '"command"',
          '"node"',
        ]);
    }
  }

  /** A document that is mostly structure: deep, wide, long, or not JSON at all. */
  private structural(): string {
    const p = this.prng;
    const type = p.pick(MESSAGE_TYPES);
    switch (p.int(5)) {
      case 0:
        return `{"v":${p.pick(this.bulky)},"type":"${type}"}`;
      case 1:
        return `{"v":1,"type":"${type}","x":${p.pick(this.bulky)}}`;
      case 2:
        return p.pick(this.bulky);
      case 3:
        return p.pick(['', ' ', '1', 'null', '"x"', '[]', '{', '}', '{"type"', 'not json']);
      default:
        return `[${'{"type":"heartbeat","v":1},'.repeat(p.range(1, 3_000))}0]`;
    }
  }

  private randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.prng.int(256);
    return bytes;
  }
}

/** Every message type the coordinator takes on `/ws`, and one it does not. */
const MESSAGE_TYPES = [...InboundMessage.options.map((o) => o.shape.type.value), 'explode'];
