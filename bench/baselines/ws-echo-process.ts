import type { AddressInfo } from 'node:net';
import { startEchoServer } from './ws-echo.js';

/**
 * Run as a process of its own (`node dist/bench/baselines/ws-echo-process.js`): a `ws` echo
 * server on loopback that prints `ws echo listening on <port>` and runs until it is stopped.
 */
const server = await startEchoServer();
process.stdout.write(`ws echo listening on ${(server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
