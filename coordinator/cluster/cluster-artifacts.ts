import type { Logger } from 'pino';
import type { ArtifactStore } from '../store/index.js';
import { ArtifactPeerClient } from './artifact-peer-client.js';
import { ArtifactReplicator } from './artifact-replicator.js';
import type { ClusterOptions, RaftHost } from './raft-host.js';

/** A transfer between members with no bytes moving for this long fails. */
const PEER_IDLE_MS = 30_000;

/** A member's side of artifact replication: what its routes use to keep and find artifacts. */
export function clusterArtifacts(
  options: ClusterOptions,
  host: RaftHost,
  store: ArtifactStore,
  logger: Logger,
): ArtifactReplicator {
  const peers = new ArtifactPeerClient({
    self: options.id,
    peers: options.peers,
    token: options.token,
    idleMs: PEER_IDLE_MS,
  });
  return new ArtifactReplicator({
    self: options.id,
    members: [...options.peers.keys()],
    peers,
    store,
    leader: () => host.status().leader,
    logger,
  });
}
