import { createServer } from 'node:net';

/**
 * A loopback port the OS has just handed out, closed again for a server to take: for servers
 * that cannot listen on port 0 because others must know their address before they start.
 */
export function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
