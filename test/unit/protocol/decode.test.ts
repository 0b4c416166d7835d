import { describe, expect, it } from 'vitest';
import { decodeMessage, InboundMessage, protocolJsonSchema } from '../../../protocol/index.js';

const decode = (raw: string) => decodeMessage(raw, InboundMessage);

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
