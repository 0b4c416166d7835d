import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../coordinator/raft/index.js';
import { PeerTransport } from '../../../coordinator/raft/peer-transport.js';
import { PROTOCOL_VERSION } from '../../../protocol/index.js';

const transports: PeerTransport[] = [];
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
});

function transport(delivered: Message[]): PeerTransport {
  const t = new PeerTransport({
    self: 'c1',
    // Unused ports: the outbound links only try to connect.
    peers: new Map([
      ['c1', 'http://127.0.0.1:1'],
      ['c2', 'http://127.0.0.1:1'],
      ['c3', 'http://127.0.0.1:1'],
    ]),
    token: 'secret-secret-secret',
    maxFrameBytes: 1 << 20,
    deliver: (m) => delivered.push(m),
    onUnreachable: () => {},
    onWarn: () => {},
  });
  transports.push(t);
  return t;
}

const frame = (messages: unknown[]) =>
  JSON.stringify({ v: PROTOCOL_VERSION, type: 'raft', messages });
const heartbeat = { type: 'Heartbeat', from: 'c2', to: 'c1', term: 1, commit: 0, context: null };

describe('PeerTransport', () => {
  it('delivers the messages of a valid frame from the peer it came from', () => {
    const delivered: Message[] = [];
    expect(transport(delivered).receive(frame([heartbeat]), 'c2')).toBeUndefined();
    expect(delivered).toEqual([heartbeat]);
  });

  it('refuses a frame carrying another sender or another recipient, and invalid ones', () => {
    const delivered: Message[] = [];
    const t = transport(delivered);
    expect(t.receive(frame([heartbeat]), 'c3')?.message).toContain('from c2 to c1');
    expect(t.receive(frame([{ ...heartbeat, to: 'c3' }]), 'c2')?.code).toBe('invalid_message');
    expect(t.receive(frame([{ ...heartbeat, commit: 'x' }]), 'c2')?.message).toContain(
      'messages[0].commit',
    );
    expect(t.receive('{', 'c2')?.code).toBe('bad_json');
    expect(delivered).toEqual([]);
  });

  it('knows the cluster secret', () => {
    const t = transport([]);
    const req = (authorization?: string) =>
      ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
    expect(t.authentic(req('Bearer secret-secret-secret'))).toBe(true);
    expect(t.authentic(req('Bearer secret-secret-secreT'))).toBe(false);
    expect(t.authentic(req())).toBe(false);
  });
});
