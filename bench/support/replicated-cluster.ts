import type { SmallRequest } from './keep-alive-requests.js';

/**
 * A replicated store under test, DTF's coordinators or etcd's members, as processes on
 * loopback, so that the same load generator and the same leader kills run against both.
 */
export interface ReplicatedCluster {
  /** What the figures call it. */
  readonly system: string;
  /** Each member's `http://127.0.0.1:port`, in member order. */
  readonly urls: readonly string[];
  /** A small write, answered 2xx only once it is committed by a quorum and applied. */
  readonly write: SmallRequest;
  /** The index of the leader, once every running member names the same one. */
  leader(): Promise<number>;
  /** `kill -9` of member `index`. */
  kill(index: number): Promise<void>;
  /**
   * Starts killed member `index` again on its data dir; resolves once it follows the leader
   * and has caught up with the leader's log.
   */
  restart(index: number): Promise<void>;
}
