import { globalAgent } from 'node:https';
import { Agent, setGlobalDispatcher } from 'undici';
import { trustCaForSockets } from '../tls-trust/index.js';
import { readOptionFile } from './options/option-file.js';
import { UsageError } from './usage-error.js';

/**
 * `--ca`: every TLS connection this process makes trusts the CA in `file` beside the system's:
 * fetch (REST), `node:https` (a cluster member's artifact copies), and WebSockets (clients,
 * workers, a member's peer links). One option covers the CLI, a worker, a pool and a coordinator.
 */
export function trustCaFile(file: string): void {
  const pem = readOptionFile('--ca', file);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`--ca ${file}: not a PEM certificate (dtf certs dev writes ca.pem)`);
  }
  const ca = [...trustCaForSockets(pem)];
  globalAgent.options.ca = ca;
  // The dispatcher Node's own fetch uses.
  setGlobalDispatcher(new Agent({ connect: { ca } }));
}
