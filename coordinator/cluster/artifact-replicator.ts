import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { NodeId } from '../raft/index.js';
import type { ArtifactStore, StagedArtifact, StoredArtifact } from '../store/index.js';
import type { ArtifactPeers } from './artifact-peer-client.js';
import { awaitAcks } from './majority-ack.js';

export interface ArtifactReplicatorOptions {
  self: NodeId;
  /** Every member, this one included. */
  members: readonly NodeId[];
  peers: ArtifactPeers;
  store: ArtifactStore;
  /** The member believed to lead now, asked first for a missing artifact. */
  leader: () => NodeId | null;
  logger: Logger;
}

export type Obtained =
  | { file: { path: string; size: number } }
  /** Why no member could provide it, one reason per member asked. */
  | { reasons: string[] };

/**
 * Keeps artifacts on a majority of the cluster: an upload is stored here only once enough
 * other members have it durably that, with this member, they are a majority; the rest get it
 * in the background. A member without a file it is asked for fetches it from one that has it.
 */
export class ArtifactReplicator {
  private readonly fetching = new Map<string, Promise<Obtained>>();

  constructor(private readonly options: ArtifactReplicatorOptions) {}

  /**
   * Pushes a staged upload to the other members and commits it here once a majority (this
   * member included) has it; rejects with `MajorityUnreachable` naming each member's problem,
   * and discards it, when too few can take it.
   */
  async replicate(staged: StagedArtifact): Promise<StoredArtifact> {
    const { self, members, peers, store, logger } = this.options;
    const others = members.filter((m) => m !== self);
    // Opened before anything is committed: the pushes read it whatever becomes of the name.
    const handles = await Promise.all(others.map(() => open(staged.path, 'r')));
    const attempts = others.map((peer, i) => {
      const handle = handles[i]!;
      return {
        peer,
        run: (signal: AbortSignal) =>
          peers
            .push(
              peer,
              staged.hex,
              {
                open: () => handle.createReadStream({ start: 0, autoClose: false }),
                size: staged.size,
              },
              signal,
            )
            .finally(() => handle.close()),
      };
    });
    const needed = Math.floor(members.length / 2);
    try {
      await awaitAcks(attempts, needed, (peer, error) => {
        if (error !== undefined) {
          logger.warn({ peer, err: error }, `could not copy sha256:${staged.hex} to ${peer}`);
        }
      });
    } catch (error) {
      await store.discard(staged);
      throw error;
    }
    return store.commit(staged);
  }

  /** This member's copy, else one fetched from a member that has it and verified; once at a time per artifact. */
  obtain(hex: string): Promise<Obtained> {
    const own = this.options.store.file(hex);
    if (own !== undefined) return Promise.resolve({ file: own });
    let pending = this.fetching.get(hex);
    if (pending === undefined) {
      pending = this.fetchFromPeers(hex).finally(() => this.fetching.delete(hex));
      this.fetching.set(hex, pending);
    }
    return pending;
  }

  private async fetchFromPeers(hex: string): Promise<Obtained> {
    const { self, members, peers, store, logger } = this.options;
    const leader = this.options.leader();
    const others = members.filter((m) => m !== self);
    const order = others.includes(leader ?? self)
      ? [leader!, ...others.filter((m) => m !== leader)]
      : others;
    const reasons: string[] = [];
    for (const peer of order) {
      try {
        const body = await peers.fetch(peer, hex);
        if (body === undefined) {
          reasons.push(`${peer} does not have it`);
          continue;
        }
        await store.commit(await store.stage(body, { expectedHex: hex }));
        logger.info({ peer }, `fetched artifact sha256:${hex} from ${peer}`);
        const file = store.file(hex);
        if (file !== undefined) return { file };
      } catch (error) {
        const reason = `${peer}: ${error instanceof Error ? error.message : String(error)}`;
        logger.warn(`could not fetch artifact sha256:${hex} from ${reason}`);
        reasons.push(reason);
      }
    }
    return { reasons };
  }
}
