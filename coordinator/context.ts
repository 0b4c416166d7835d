import type { Logger } from 'pino';
import type { Admission } from './admission.js';
import type { ArtifactReplicator, RaftHost } from './cluster/index.js';
import type { UnschedulableExplainer } from './queries.js';
import type { RunRetention } from './runs.js';
import type { RecentActivations } from './shard-stage/index.js';
import type { CoordinatorState } from './state/index.js';
import type { ArtifactStore, CommandSink } from './store/index.js';

/** What the I/O edges (REST, WebSocket, timers) share: the state, the way to change it, the clock. */
export interface CoordinatorContext {
  readonly state: CoordinatorState;
  readonly commit: CommandSink;
  /** Admission control: what submits are taken in, per key and overall. */
  readonly admission: Admission;
  /** Cluster mode only: the Raft member this coordinator is. */
  readonly cluster?: RaftHost | undefined;
  readonly artifacts: ArtifactStore;
  /** Cluster mode only: keeps artifacts on a majority and fetches those this member lacks. */
  readonly artifactReplicas?: ArtifactReplicator | undefined;
  /** Activations committed from results lately, for the assignments of the stages that read them. */
  readonly recentActivations: RecentActivations;
  readonly explainer: UnschedulableExplainer;
  readonly logger: Logger;
  readonly maxMessageBytes: number;
  readonly startedAt: number;
  /** What the results store keeps. */
  readonly retention: RunRetention;
  now(): number;
}
