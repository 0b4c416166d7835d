import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactRef } from '../../protocol/index.js';

/** Files (models, mostly) stored under their SHA-256, so tasks refer to them by content. */
export class ArtifactStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
  ) {
    this.dir = join(dataDir, 'artifacts');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Stores the bytes (once) and returns their reference. */
  put(bytes: Uint8Array): { ref: ArtifactRef; size: number; created: boolean } {
    const hex = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(hex);
    const created = !existsSync(path);
    if (created) {
      const partial = `${path}.partial`;
      writeFileSync(partial, bytes);
      renameSync(partial, path);
    }
    return { ref: `sha256:${hex}`, size: bytes.byteLength, created };
  }

  /** The file of an artifact by its hex digest, or undefined when it is not stored. */
  file(hex: string): { path: string; size: number } | undefined {
    if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
    const path = this.pathOf(hex);
    return existsSync(path) ? { path, size: statSync(path).size } : undefined;
  }

  has(ref: ArtifactRef): boolean {
    return this.file(ref.slice('sha256:'.length)) !== undefined;
  }

  private pathOf(hex: string): string {
    return join(this.dir, hex);
  }
}
