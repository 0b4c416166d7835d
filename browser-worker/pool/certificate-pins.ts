import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { trustedCas } from '../../tls-trust/index.js';

/** How the pool's browsers trust a TLS coordinator whose CA `--ca` named. */
export interface BrowserTrust {
  /** Chromium: accept exactly these servers' keys (`--ignore-certificate-errors-spki-list`). */
  chromiumArgs: string[];
  /** Firefox: accept the certificates Node has verified already (no per-key pinning there). */
  acceptInsecureCerts: boolean;
}

const NONE: BrowserTrust = { chromiumArgs: [], acceptInsecureCerts: false };

/** SHA-256 of the server's public key (SPKI, base64), once its certificate verified against the CAs. */
async function verifiedKeyHash(url: URL, ca: readonly string[]): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = connect({
    host,
    port: Number(url.port === '' ? 443 : url.port),
    ca: [...ca],
    ...(isIP(host) === 0 ? { servername: host } : {}),
  });
  try {
    await once(socket, 'secureConnect');
    const key = socket.getPeerX509Certificate()?.publicKey;
    if (key === undefined) throw new Error(`${url.host} sent no certificate`);
    return createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  } finally {
    socket.destroy();
  }
}

/**
 * For `https://` pages with a CA named by `--ca`: each coordinator's certificate is verified
 * here, in Node, against that CA, and Chromium is told to accept exactly those keys, since a
 * fresh browser profile trusts only the system's CAs. Nothing changes otherwise.
 */
export async function browserTrust(pageUrls: readonly string[]): Promise<BrowserTrust> {
  const { ca } = trustedCas();
  const secure = pageUrls.map((url) => new URL(url)).filter((url) => url.protocol === 'https:');
  if (ca === undefined || secure.length === 0) return NONE;
  const hashes = await Promise.all(secure.map((url) => verifiedKeyHash(url, ca)));
  return {
    chromiumArgs: [`--ignore-certificate-errors-spki-list=${[...new Set(hashes)].join(',')}`],
    acceptInsecureCerts: true,
  };
}
