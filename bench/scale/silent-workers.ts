import WebSocket from 'ws';
import {
  type NodeCapabilities,
  PROTOCOL_VERSION,
  type RegisterMessage,
} from '../../protocol/index.js';
import { POOLS } from './fill-store.js';

/**
 * `count` workers that register, keep their heartbeat and hold every task they are given
 * without answering: a coordinator with them connected carries its full queue and leases.
 */
export async function connectSilentWorkers(
  wsUrl: string,
  count: number,
  capabilities: NodeCapabilities,
): Promise<{ close(): void }> {
  const sockets: WebSocket[] = [];
  const opened = Array.from({ length: count }, (_, i) => {
    const socket = new WebSocket(wsUrl);
    sockets.push(socket);
    return new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => {
        const register: RegisterMessage = {
          v: PROTOCOL_VERSION,
          type: 'register',
          workerId: `silent-${i}`,
          name: `silent-${i}`,
          capabilities,
          labels: { pool: `p${i % POOLS}` },
          slots: 1,
          inFlight: [],
        };
        socket.send(JSON.stringify(register));
      });
      socket.on('message', (data) => {
        if (JSON.parse(data.toString()).type === 'registered') resolve();
      });
    });
  });
  await Promise.all(opened);
  const heartbeat = JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat' });
  const timer = setInterval(() => {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(heartbeat);
  }, 500);
  return {
    close() {
      clearInterval(timer);
      for (const socket of sockets) socket.terminate();
    },
  };
}
