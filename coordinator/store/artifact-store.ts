import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef, ErrorCode } from '../../protocol/index.js';

const PARTIAL = '.partial';
const HEX = /^[0-9a-f]{64}$/;
const REF_PREFIX = 'sha256:';

/** Why a file was not stored, with the error code REST answers it with. */
export class ArtifactRefused extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'message_too_large' | 'invalid_message'>,
    message: string,
  ) {
    super(message);
  }
}

/** A file written and synced to disk under a temporary name: not served until `commit`. */
export interface StagedArtifact {
  hex: string;
  size: number;
  /** The temporary file; a reader opened on it keeps working after `commit` renames it. */
  path: string;
}

/** What an upload is answered with. */
export interface StoredArtifact {
  ref: ArtifactRef;
  size: number;
  /** False when the store had it already. */
  created: boolean;
}

/** The artifacts' folder in the data dir. */
export const ARTIFACTS_DIR = 'artifacts';

/** Files (models, mostly) stored under their SHA-256, so tasks refer to them by content. */
export class ArtifactStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
  ) {
    this.dir = join(dataDir, ARTIFACTS_DIR);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Files a stopped process was still receiving: never served, never to be finished.
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(PARTIAL)) unlinkSync(join(this.dir, name));
    }
  }

  /**
   * Streams `source` to a temporary file, hashing it on the way, and syncs it to disk. Refuses
   * (`ArtifactRefused`, nothing left behind) a body over `maxBytes`, an empty one, or, given
   * `expectedHex`, one whose SHA-256 differs, or, given `exactBytes`, one of another size.
   */
  async stage(
    source: AsyncIterable<Uint8Array>,
    options: { expectedHex?: string; declaredBytes?: number; exactBytes?: number } = {},
  ): Promise<StagedArtifact> {
    if (options.declaredBytes !== undefined && options.declaredBytes > this.maxBytes) {
      throw this.tooLarge(options.declaredBytes);
    }
    const { exactBytes } = options;
    const path = join(this.dir, `${randomUUID()}${PARTIAL}`);
    const file = await open(path, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > this.maxBytes) throw this.tooLarge();
        if (exactBytes !== undefined && size > exactBytes) throw wrongSize(exactBytes);
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
      await file.close();
      if (exactBytes !== undefined && size !== exactBytes) throw wrongSize(exactBytes);
      if (size === 0) {
        throw new ArtifactRefused(
          'invalid_message',
          'send the file as the request body (any content type)',
        );
      }
      const hex = hash.digest('hex');
      if (options.expectedHex !== undefined && hex !== options.expectedHex) {
        throw new ArtifactRefused(
          'invalid_message',
          `the bytes received hash to sha256:${hex}, not sha256:${options.expectedHex}`,
        );
      }
      return { hex, size, path };
    } catch (error) {
      await file.close().catch(() => {});
      await rm(path, { force: true });
      throw error;
    }
  }

  /** Makes a staged file the stored artifact (atomically: rename, then sync the directory). */
  async commit(staged: StagedArtifact): Promise<StoredArtifact> {
    const path = this.pathOf(staged.hex);
    const created = !existsSync(path);
    await rename(staged.path, path);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { ref: `sha256:${staged.hex}`, size: staged.size, created };
  }

  /** Drops a staged file that is not to be stored. */
  async discard(staged: StagedArtifact): Promise<void> {
    await rm(staged.path, { force: true });
  }

  /** The file of an artifact by its hex digest, or undefined when it is not stored. */
  file(hex: string): { path: string; size: number } | undefined {
    if (!HEX.test(hex)) return undefined;
    const path = this.pathOf(hex);
    return existsSync(path) ? { path, size: statSync(path).size } : undefined;
  }

  has(ref: ArtifactRef): boolean {
    return this.file(ref.slice(REF_PREFIX.length)) !== undefined;
  }

  private tooLarge(size?: number): ArtifactRefused {
    const body = size === undefined ? 'request body' : `request body of ${size} bytes`;
    return new ArtifactRefused(
      'message_too_large',
      `${body} exceeds the limit of ${this.maxBytes} bytes`,
    );
  }

  private pathOf(hex: string): string {
    return join(this.dir, hex);
  }
}

function wrongSize(exactBytes: number): ArtifactRefused {
  return new ArtifactRefused('invalid_message', `the body must be exactly ${exactBytes} bytes`);
}

/** Whether `hex` is a SHA-256 in lowercase hex, as artifacts are named. */
export function isArtifactHex(hex: string): boolean {
  return HEX.test(hex);
}

/**
 * The hex digest an artifact is asked for by: the ref an upload answers (`sha256:<hex>`) or
 * its bare hex; undefined for anything else.
 */
export function artifactHexOf(name: string): string | undefined {
  const hex = name.startsWith(REF_PREFIX) ? name.slice(REF_PREFIX.length) : name;
  return HEX.test(hex) ? hex : undefined;
}
