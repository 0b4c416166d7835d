import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Message } from '../../../../coordinator/raft/index.js';
import { PeerTransport } from '../../../../coordinator/raft-io/index.js';
import { PROTOCOL_VERSION, RAFT_FROM_HEADER, raftStreamUrl } from '../../../../protocol/index.js';

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

describe('PeerLink', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function listen(onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void) {
    const server = createServer();
    server.on('upgrade', onUpgrade);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('reconnects at once, not after its backoff, when the peer opens its own stream', async () => {
    // Only the retry timer is faked: it never fires, so a reconnect can come only from the peer.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const attempts: string[] = [];
    let secondAttempt: () => void = () => {};
    const secondSeen = new Promise<void>((resolve) => {
      secondAttempt = resolve;
    });
    const c2Url = await listen((req, socket) => {
      attempts.push(String(req.headers[RAFT_FROM_HEADER]));
      socket.destroy(); // c2 is down
      if (attempts.length === 2) secondAttempt();
    });
    let unreachable: () => void = () => {};
    const refused = new Promise<void>((resolve) => {
      unreachable = resolve;
    });
    const token = 'secret-secret-secret';
    const c1 = new PeerTransport({
      self: 'c1',
      peers: new Map([
        ['c1', 'http://127.0.0.1:1'],
        ['c2', c2Url],
      ]),
      token,
      maxFrameBytes: 1 << 20,
      deliver: () => {},
      onUnreachable: () => unreachable(),
      onWarn: () => {},
    });
    transports.push(c1);
    await refused;
    expect(attempts).toEqual(['c1']);

    const c1Url = await listen((req, socket, head) => c1.upgrade(req, socket, head));
    const stream = new WebSocket(raftStreamUrl(c1Url), {
      headers: { authorization: `Bearer ${token}`, [RAFT_FROM_HEADER]: 'c2' },
    });
    await secondSeen;
    stream.terminate();
    expect(attempts).toEqual(['c1', 'c1']);
  });
});
