import { InvalidArgumentError } from 'commander';

/** Parses `--peers c1=http://127.0.0.1:8081,c2=...` into member id -> `http(s)://host:port`. */
export function parsePeers(text: string): Map<string, string> {
  const peers = new Map<string, string>();
  for (const part of text.split(',')) {
    const equals = part.indexOf('=');
    if (equals <= 0)
      throw new InvalidArgumentError(`peer '${part}' must look like id=http://host:port`);
    const id = part.slice(0, equals).trim();
    const raw = part.slice(equals + 1).trim();
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new InvalidArgumentError(`peer ${id}: '${raw}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError(`peer ${id}: use an http:// or https:// URL, not '${raw}'`);
    }
    if (peers.has(id)) throw new InvalidArgumentError(`peer ${id} is listed twice`);
    peers.set(id, `${url.protocol}//${url.host}`);
  }
  if (peers.size < 3 || peers.size % 2 === 0) {
    throw new InvalidArgumentError(
      `a cluster needs 3, 5 or 7 members; --peers lists ${peers.size}`,
    );
  }
  return peers;
}
