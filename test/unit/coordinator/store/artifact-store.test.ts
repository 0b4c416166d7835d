import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArtifactRefused,
  ArtifactStore,
  artifactHexOf,
} from '../../../../coordinator/store/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterAll(removeTempDirs);

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

describe('ArtifactStore', () => {
  it('streams a body to disk, stores it under its SHA-256 on commit, and only then serves it', async () => {
    const store = new ArtifactStore(tempDir(), 1024);
    const hex = sha(new TextEncoder().encode('hello model'));
    const staged = await store.stage(chunks('hello ', 'model'));
    expect(staged).toMatchObject({ hex, size: 11 });
    expect(store.file(hex)).toBeUndefined();

    expect(await store.commit(staged)).toEqual({ ref: `sha256:${hex}`, size: 11, created: true });
    expect(readFileSync(store.file(hex)!.path, 'utf8')).toBe('hello model');
    expect(store.has(`sha256:${hex}`)).toBe(true);

    const again = await store.stage(chunks('hello model'), { expectedHex: hex });
    expect((await store.commit(again)).created).toBe(false);
    expect(readdirSync(store.dir)).toEqual([hex]);
  });

  it('refuses bytes that do not hash to the expected digest and keeps nothing of them', async () => {
    const store = new ArtifactStore(tempDir(), 1024);
    const expected = sha(new TextEncoder().encode('the real model'));
    const refused = store.stage(chunks('a tampered model'), { expectedHex: expected });
    await expect(refused).rejects.toBeInstanceOf(ArtifactRefused);
    await expect(refused).rejects.toThrow(
      `the bytes received hash to sha256:${sha(new TextEncoder().encode('a tampered model'))}, not sha256:${expected}`,
    );
    expect(store.file(expected)).toBeUndefined();
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('refuses a body over the limit, declared or streamed, with 413 and nothing left behind', async () => {
    const store = new ArtifactStore(tempDir(), 8);
    await expect(store.stage(chunks('x'), { declaredBytes: 9 })).rejects.toMatchObject({
      code: 'message_too_large',
      message: 'request body of 9 bytes exceeds the limit of 8 bytes',
    });
    await expect(store.stage(chunks('1234', '5678', '9'))).rejects.toMatchObject({
      code: 'message_too_large',
      message: 'request body exceeds the limit of 8 bytes',
    });
    await expect(store.stage(chunks())).rejects.toMatchObject({ code: 'invalid_message' });
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('drops files a stopped process was still receiving', () => {
    const dataDir = tempDir();
    const first = new ArtifactStore(dataDir, 1024);
    writeFileSync(join(first.dir, 'abc.partial'), 'half a model');
    const store = new ArtifactStore(dataDir, 1024);
    expect(readdirSync(store.dir)).toEqual([]);
  });
});

describe('artifactHexOf', () => {
  const hex = 'ab'.repeat(32);
  it('takes the ref an upload answers or the bare hex, and nothing else', () => {
    expect(artifactHexOf(`sha256:${hex}`)).toBe(hex);
    expect(artifactHexOf(hex)).toBe(hex);
    for (const name of [
      `sha256:${hex.toUpperCase()}`,
      `sha1:${hex}`,
      `sha256:sha256:${hex}`,
      hex.slice(1),
      '',
      'sha256:',
    ]) {
      expect(artifactHexOf(name), name).toBeUndefined();
    }
  });
});
