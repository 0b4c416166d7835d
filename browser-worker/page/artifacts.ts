import { type ArtifactRef, artifactHex } from '../../protocol/index.js';
import { sha256Hex } from './sha256.js';

export interface FetchedArtifact {
  bytes: Uint8Array;
  /** Time to fetch it; 0 when this page had it already. */
  fetchMs: number;
}

/** Content-addressed files from the coordinator, each downloaded once per page and checked. */
export class ArtifactFetcher {
  private readonly fetched = new Map<string, Promise<Uint8Array>>();

  constructor(readonly token: string) {}

  async get(ref: ArtifactRef): Promise<FetchedArtifact> {
    const hex = artifactHex(ref);
    const known = this.fetched.get(hex);
    if (known !== undefined) return { bytes: await known, fetchMs: 0 };
    const started = performance.now();
    const download = this.download(ref);
    this.fetched.set(hex, download);
    download.catch(() => this.fetched.delete(hex)); // a failed download may be tried again
    return { bytes: await download, fetchMs: performance.now() - started };
  }

  /**
   * Downloads an artifact and checks it against its hash, keeping no copy: an activation,
   * read once by the stage that consumes it.
   */
  async download(ref: ArtifactRef, signal?: AbortSignal): Promise<Uint8Array> {
    const hex = artifactHex(ref);
    const response = await fetch(`/api/artifacts/${hex}`, {
      headers: { authorization: `Bearer ${this.token}` },
      ...(signal === undefined ? {} : { signal }),
    });
    if (!response.ok) {
      throw new Error(`fetching ${ref} failed: HTTP ${response.status} ${await response.text()}`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if ((await sha256Hex(bytes)) !== hex)
      throw new Error(`artifact ${ref} arrived corrupted (hash mismatch)`);
    return bytes;
  }
}
