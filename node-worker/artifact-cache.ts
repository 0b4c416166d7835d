import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactRef, artifactHex } from '../protocol/index.js';

export interface FetchedArtifact {
  bytes: Uint8Array;
  /** Time to fetch it; 0 when it came from the local cache. */
  fetchMs: number;
}

export type ArtifactSource = () => { baseUrl: string; token: string | undefined } | undefined;

/**
 * Content-addressed artifacts from the coordinator, kept on local disk by hash so each is
 * downloaded once per machine; every copy is checked against its hash before use.
 */
export class ArtifactCache {
  constructor(
    private readonly source: ArtifactSource,
    private readonly dir = join(tmpdir(), 'dtf-artifacts'),
  ) {}

  async get(ref: ArtifactRef, signal: AbortSignal): Promise<FetchedArtifact> {
    const hex = artifactHex(ref);
    const path = join(this.dir, hex);
    const cached = await readFile(path).catch(() => undefined);
    if (cached !== undefined && sha256Hex(cached) === hex) return { bytes: cached, fetchMs: 0 };
    const started = performance.now();
    const bytes = await this.download(ref, signal);
    const fetchMs = performance.now() - started;
    await mkdir(this.dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    return { bytes, fetchMs };
  }

  /**
   * Downloads an artifact and checks it against its hash, keeping no copy: an activation,
   * read once by the stage that consumes it.
   */
  async download(ref: ArtifactRef, signal: AbortSignal): Promise<Uint8Array> {
    const hex = artifactHex(ref);
    const source = this.source();
    if (source === undefined)
      throw new Error(`cannot fetch ${ref}: not connected to a coordinator`);
    const headers: Record<string, string> = source.token
      ? { authorization: `Bearer ${source.token}` }
      : {};
    const response = await fetch(`${source.baseUrl}/api/artifacts/${hex}`, { headers, signal });
    if (!response.ok) {
      throw new Error(`fetching ${ref} failed: HTTP ${response.status} ${await response.text()}`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256Hex(bytes) !== hex)
      throw new Error(`artifact ${ref} arrived corrupted (hash mismatch)`);
    return bytes;
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
