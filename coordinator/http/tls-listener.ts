import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createFrontServer, type Server as NetServer, type Socket } from 'node:net';

/** A certificate (chain) and its private key, PEM. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/** The first byte of a TLS connection: a handshake record. */
const TLS_HANDSHAKE = 0x16;
/** How long a connection may stay silent before its first byte. */
const FIRST_BYTE_MS = 10_000;

const PLAIN_REFUSAL = JSON.stringify({
  error: {
    code: 'invalid_message',
    message:
      'this coordinator speaks TLS only: use https:// (wss:// for WebSocket) and trust its CA (--ca)',
  },
});

/**
 * The coordinator's HTTP server, and what listens: alone, the server itself; with TLS, a front
 * that reads each connection's first byte and hands a TLS handshake to the HTTPS server, and
 * answers anything else (a client speaking plain HTTP to it) with a 400 that says to use
 * https://, rather than a reset connection that says nothing.
 */
export function createListener(
  handler: RequestListener,
  tls: TlsFiles | undefined,
): { server: Server; listener: Server | NetServer; closeAllConnections(): void } {
  if (tls === undefined) {
    const server = createPlainServer(handler);
    return { server, listener: server, closeAllConnections: () => server.closeAllConnections() };
  }
  const server = createTlsServer({ cert: tls.cert, key: tls.key }, handler);
  const sockets = new Set<Socket>();
  const listener = createFrontServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    route(socket, server);
  });
  // The front's connections are the server's to end: closing one closes the other.
  listener.on('close', () => server.close());
  return {
    server,
    listener,
    // Those the HTTPS server holds, and those still silent before their first byte.
    closeAllConnections() {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    },
  };
}

function route(socket: Socket, server: Server): void {
  socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  // Peeked, not consumed: the byte goes back, and the TLS socket reads it from the buffer (the
  // socket is not resumed, or the buffer would drain past the TLS layer).
  socket.once('readable', () => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) {
      socket.destroy();
      return;
    }
    socket.setTimeout(0);
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE) {
      server.emit('connection', socket);
      return;
    }
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(PLAIN_REFUSAL)}\r\nConnection: close\r\n\r\n${PLAIN_REFUSAL}`,
    );
  });
}
