export { restoreAppliedState } from './applied-state.js';
export type { ArtifactReplicator } from './artifact-replicator.js';
export { clusterArtifacts } from './cluster-artifacts.js';
export { MajorityUnreachable } from './majority-ack.js';
export { type ClusterOptions, type ClusterStatus, RaftHost } from './raft-host.js';
