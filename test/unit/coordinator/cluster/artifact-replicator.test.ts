import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ArtifactBody,
  ArtifactPeers,
} from '../../../../coordinator/cluster/artifact-peer-client.js';
import { ArtifactReplicator } from '../../../../coordinator/cluster/artifact-replicator.js';
import { MajorityUnreachable } from '../../../../coordinator/cluster/majority-ack.js';
import { ArtifactStore } from '../../../../coordinator/store/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterAll(removeTempDirs);

const MODEL = new TextEncoder().encode('an ONNX model, more or less');
const HEX = createHash('sha256').update(MODEL).digest('hex');

type PushBehaviour = 'store' | 'hang' | ((peer: string) => Error);

/** Peers kept in memory: what each holds, and how each answers a push. */
class FakePeers implements ArtifactPeers {
  readonly held = new Map<string, Uint8Array>();
  readonly fetches: string[] = [];

  constructor(private readonly pushes: Record<string, PushBehaviour>) {}

  async push(peer: string, hex: string, body: ArtifactBody, signal: AbortSignal): Promise<void> {
    const behaviour = this.pushes[peer];
    if (typeof behaviour === 'function') throw behaviour(peer);
    if (behaviour === 'hang') {
      await new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    }
    const parts: Buffer[] = [];
    for await (const chunk of body.open()) parts.push(chunk as Buffer);
    const bytes = Buffer.concat(parts);
    expect(bytes.length).toBe(body.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hex);
    this.held.set(peer, bytes);
  }

  async fetch(peer: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.fetches.push(peer);
    const bytes = this.held.get(peer);
    if (bytes === undefined) return undefined;
    return (async function* () {
      yield bytes;
    })();
  }
}

function replicator(peers: FakePeers, leader: string | null = null) {
  const store = new ArtifactStore(tempDir(), 1024);
  return {
    store,
    replicas: new ArtifactReplicator({
      self: 'c1',
      members: ['c1', 'c2', 'c3'],
      peers,
      store,
      leader: () => leader,
      logger: pino({ level: 'silent' }),
    }),
  };
}

async function staged(store: ArtifactStore) {
  return store.stage(
    (async function* () {
      yield MODEL;
    })(),
  );
}

describe('ArtifactReplicator', () => {
  it('commits an upload once one other member of three has it, without waiting for the third', async () => {
    const peers = new FakePeers({ c2: 'hang', c3: 'store' });
    const { store, replicas } = replicator(peers);
    const stored = await replicas.replicate(await staged(store));
    expect(stored).toEqual({ ref: `sha256:${HEX}`, size: MODEL.length, created: true });
    expect(readFileSync(store.file(HEX)!.path)).toEqual(Buffer.from(MODEL));
    expect(peers.held.get('c3')).toEqual(Buffer.from(MODEL));
  });

  it('refuses an upload no other member could store, naming why, and keeps nothing of it', async () => {
    const peers = new FakePeers({
      c2: () => new Error('connect ECONNREFUSED'),
      c3: () => new Error('HTTP 507: no space left'),
    });
    const { store, replicas } = replicator(peers);
    const error = await replicas.replicate(await staged(store)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MajorityUnreachable);
    expect((error as Error).message).toBe(
      'a majority needs 1 other member to store it, and 2 of 2 could not (c2: connect ECONNREFUSED; c3: HTTP 507: no space left)',
    );
    expect(store.file(HEX)).toBeUndefined();
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('fetches a missing artifact from the leader first, refusing a copy with the wrong hash and trying the next member', async () => {
    const peers = new FakePeers({});
    peers.held.set('c3', new TextEncoder().encode('a corrupted copy'));
    peers.held.set('c2', MODEL);
    const { store, replicas } = replicator(peers, 'c3');
    const obtained = await replicas.obtain(HEX);
    expect(peers.fetches).toEqual(['c3', 'c2']);
    expect('file' in obtained && readFileSync(obtained.file.path)).toEqual(Buffer.from(MODEL));
    expect(store.has(`sha256:${HEX}`)).toBe(true);
    expect(readdirSync(store.dir)).toEqual([HEX]);
  });

  it('says which members were asked when none has it, and fetches once for concurrent askers', async () => {
    const peers = new FakePeers({});
    const { replicas } = replicator(peers);
    const [one, two] = await Promise.all([replicas.obtain(HEX), replicas.obtain(HEX)]);
    expect(one).toEqual({ reasons: ['c2 does not have it', 'c3 does not have it'] });
    expect(two).toBe(one);
    expect(peers.fetches).toEqual(['c2', 'c3']);
  });
});
