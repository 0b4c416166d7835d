import type { SmallRequest } from './keep-alive-requests.js';
import { pollUntil } from './poll.js';
import type { ProcessGroup } from './process-group.js';

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

/** How long a cluster may take to elect a leader, create its keys, or let a member catch up. */
export const CONVERGE_MS = 30_000;

/**
 * What DTF's and etcd's clusters do alike: find the leader every running member names, kill a
 * member, start it again and wait until it has caught up. A system says how to read a leader
 * and whether a member has caught up with it.
 */
export abstract class ProcessCluster<Status> implements ReplicatedCluster {
  abstract readonly system: string;
  abstract readonly write: SmallRequest;

  constructor(
    readonly urls: readonly string[],
    protected readonly processes: ProcessGroup,
  ) {}

  /** The leader's index and status, if every running member names the same running leader. */
  protected abstract agreedLeader(): Promise<{ index: number; status: Status } | undefined>;

  /** Whether member `index` (not the leader) has applied what `leader` had. */
  protected abstract caughtUp(index: number, leader: Status): Promise<boolean>;

  protected running(): number[] {
    return this.urls.flatMap((_, i) => (this.processes.isRunning(i) ? [i] : []));
  }

  async leader(): Promise<number> {
    const found = await pollUntil(`the ${this.system} members agree on a leader`, CONVERGE_MS, () =>
      this.agreedLeader(),
    );
    return found.index;
  }

  kill(index: number): Promise<void> {
    return this.processes.kill(index);
  }

  async restart(index: number): Promise<void> {
    await this.processes.start(index);
    await pollUntil(
      `${this.system} member ${index + 1} has caught up with the leader`,
      CONVERGE_MS,
      async () => {
        const leader = await this.agreedLeader();
        if (leader === undefined || leader.index === index) return undefined;
        return (await this.caughtUp(index, leader.status)) ? true : undefined;
      },
    );
  }
}
