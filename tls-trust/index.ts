import { rootCertificates } from 'node:tls';

/**
 * The CAs this process trusts for TLS connections it opens with `ws` (which connects through
 * `tls.connect` itself, so neither the global HTTPS agent nor fetch's dispatcher reaches it):
 * the system's and the one `--ca` named. Undefined until one is named.
 */
let trusted: string[] | undefined;

/** Trusts `pem` beside the system's CAs for every WebSocket this process opens from now on. */
export function trustCaForSockets(pem: string): readonly string[] {
  trusted = [...rootCertificates, pem];
  return trusted;
}

/** What a `ws` client's `ca` option should be: the CAs `--ca` added, or none (the default). */
export function trustedCas(): { ca?: string[] } {
  return trusted === undefined ? {} : { ca: trusted };
}
