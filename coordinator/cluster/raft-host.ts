import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  MAX_JSON_DEPTH,
  type ProtocolError,
  parseBoundedJson,
  parseWith,
  StateCommand,
} from '../../protocol/index.js';
import { DEFAULT_SNAPSHOT_ENTRIES } from '../defaults.js';
import {
  type Entry,
  type NodeId,
  RaftNode,
  type RaftStatus,
  type Ready,
  splitEarlyMessages,
} from '../raft/index.js';
import { fsynced, PeerTransport, SqliteStorage } from '../raft-io/index.js';
import type { Command, CoordinatorState, StateEvent } from '../state/index.js';
import type { CommandSink, GroupCommit } from '../store/index.js';
import { AppliedIndex } from './applied-index.js';
import { writeAppliedState } from './applied-state.js';
import { LeadershipHandOver, type TransferOutcome } from './leadership-transfer.js';
import { LogCompactor, snapshotTail } from './log-compactor.js';
import { NotLeaderError } from './not-leader.js';
import { ReadBatcher } from './read-batcher.js';
import { decodeStateSnapshot, replaceState } from './state-snapshot.js';

export interface ClusterOptions {
  id: NodeId;
  /** Every member's `http(s)://host:port`, this one included. */
  peers: ReadonlyMap<NodeId, string>;
  /** The secret every member presents to the others on `/raft` and `/api/raft/*`. */
  token: string;
  tickMs?: number;
  electionTicks?: number;
  /** Applied entries after the last snapshot beyond which the log is compacted (10,000). */
  snapshotEntries?: number;
  /** How long a read may wait for its ReadIndex to be confirmed and applied; default 4 election timeouts. */
  readTimeoutMs?: number;
}

export interface RaftHostOptions extends ClusterOptions {
  db: Database.Database;
  commit: GroupCommit;
  maxFrameBytes: number;
  logger: Logger;
  /** On the leader, after entries are applied: the command to propose next (the scheduler). */
  followUp: (state: CoordinatorState) => Command | undefined;
  onRoleChange: (leading: boolean) => void;
  /** A snapshot from the leader replaced the whole state (caches of it are stale). */
  onStateReplaced?: () => void;
  /** The leader's snapshot cannot be installed: this member stopped and must exit. */
  onFatal: (error: unknown) => void;
}

type Done = (events: StateEvent[]) => void;
type Failed = (error: ProtocolError) => void;

const NOT_LEADER: ProtocolError = {
  code: 'not_leader',
  message: 'this coordinator is not the leader; send commands to the leader',
};
const LEADERSHIP_LOST: ProtocolError = {
  code: 'not_leader',
  message:
    'leadership changed before the command was committed: it may or may not take effect; retry (with an idempotency key) at the new leader',
};

export interface ClusterStatus extends RaftStatus {
  leaderUrl: string | null;
  /** ReadIndex rounds this member started; the reads it served shared them. */
  readRounds: number;
}

/**
 * Drives a RaftNode for the coordinator: ticks it, feeds it peers' messages, and works its
 * Readies (persist in the coordinator's database, send, apply the committed commands through
 * the same group commit as a single coordinator, advance). As the coordinator's command sink
 * it proposes every command and answers the submitter once the command's entry is applied.
 */
export class RaftHost implements CommandSink {
  readonly transport: PeerTransport;
  private readonly node: RaftNode;
  private readonly storage: SqliteStorage;
  private readonly applied: AppliedIndex;
  private readonly compactor: LogCompactor;
  private readonly installAtomically: (rd: Ready, state: CoordinatorState) => void;
  private readonly reads: ReadBatcher;
  private readonly handOver: LeadershipHandOver;
  private proposals: Array<{
    command: Command;
    done?: Done | undefined;
    failed?: Failed | undefined;
  }> = [];
  private readonly pending = new Map<
    number,
    { term: number; done?: Done | undefined; failed?: Failed | undefined }
  >();
  private followUpAt: number | undefined;
  private leading = false;
  private scheduled = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  /** When this node last became leader (ms since the epoch), 0 while it follows. */
  leaderSince = 0;

  constructor(private readonly options: RaftHostOptions) {
    this.storage = new SqliteStorage(options.db);
    this.applied = new AppliedIndex(options.db);
    this.node = new RaftNode(
      {
        id: options.id,
        peers: [...options.peers.keys()],
        electionTicks: options.electionTicks ?? 10,
        heartbeatTicks: 1,
        random: Math.random,
        preVote: true,
        checkQuorum: true,
        applied: this.applied.get(),
      },
      this.storage,
    );
    const snapshotEntries = options.snapshotEntries ?? DEFAULT_SNAPSHOT_ENTRIES;
    this.compactor = new LogCompactor({
      entries: snapshotEntries,
      tail: snapshotTail(snapshotEntries),
      onError: (error) =>
        options.logger.error({ err: error }, 'could not take a state snapshot; the log grows'),
    });
    this.installAtomically = options.db.transaction((rd: Ready, state: CoordinatorState) => {
      this.storage.persist(rd);
      writeAppliedState(options.db, state, rd.snapshot!.meta.index);
    });
    const electionMs = (options.electionTicks ?? 10) * (options.tickMs ?? 50);
    this.reads = new ReadBatcher(
      {
        readIndex: (context) => !this.closed && this.node.readIndex(context),
        view: () => {
          const { term, leader } = this.node.status();
          return { term, leader };
        },
      },
      {
        timeoutMs: options.readTimeoutMs ?? 4 * electionMs,
        retryMs: electionMs,
        now: Date.now,
        wake: () => this.schedule(),
      },
      this.node.status().applied,
    );
    this.handOver = new LeadershipHandOver(this.node, () => this.schedule());
    this.transport = new PeerTransport({
      self: options.id,
      peers: options.peers,
      token: options.token,
      maxFrameBytes: options.maxFrameBytes,
      deliver: (m) => {
        if (this.closed) return;
        this.node.step(m);
        this.schedule();
      },
      onUnreachable: (peer) => this.node.reportUnreachable(peer),
      onWarn: (message) => options.logger.warn(message),
    });
  }

  get state(): CoordinatorState {
    return this.options.commit.state;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.node.tick();
      this.reads.tick();
      this.process();
    }, this.options.tickMs ?? 50);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  submit(command: Command, done?: Done, failed?: Failed): void {
    this.proposals.push({ command, done, failed });
    this.schedule();
  }

  submitAndWait(command: Command): Promise<StateEvent[]> {
    return new Promise((resolve, reject) =>
      this.submit(command, resolve, (error) => reject(new NotLeaderError(error.message))),
    );
  }

  /**
   * Resolves when a linearizable read at this member is safe: a ReadIndex round (shared by the
   * reads that arrive before the next pass over the node, or while the round before is in
   * flight) confirmed that the leader still leads, and this member has applied the log up to
   * the index it returned. Rejects with a
   * `NotLeaderError` naming the problem when that cannot be had within `readTimeoutMs`.
   */
  read(): Promise<void> {
    if (this.closed) return Promise.reject(new NotLeaderError('this coordinator is shutting down'));
    return this.reads.read();
  }

  /**
   * On the leader: hands leadership to `to`, by default the most caught-up follower, and waits
   * (at most `timeoutMs`) until another member leads.
   */
  async transferLeadership(to?: NodeId, timeoutMs = 2_000): Promise<TransferOutcome> {
    const outcome = await this.handOver.start(to, timeoutMs);
    const { logger } = this.options;
    if (outcome.handedOver) logger.info(outcome, `handed leadership over to ${outcome.leader}`);
    else logger.warn(outcome, `leadership transfer to ${outcome.to} did not complete`);
    return outcome;
  }

  status(): ClusterStatus {
    const status = this.node.status();
    const leaderUrl =
      status.leader === null ? null : (this.options.peers.get(status.leader) ?? null);
    return { ...status, leaderUrl, readRounds: this.reads.rounds };
  }

  /**
   * The members as this one sees them: itself, and each peer with its log's lag behind the
   * leader's last entry where this member leads (a follower knows no one's progress).
   */
  members(): Array<{ id: string; url: string | null; role: string; lag?: number }> {
    const status = this.node.status();
    const matches = new Map(this.node.followerMatches().map((f) => [f.id, f.match]));
    const self = {
      id: status.id,
      url: this.options.peers.get(status.id) ?? null,
      role: status.role,
    };
    const others = [...this.options.peers]
      .filter(([id]) => id !== status.id)
      .map(([id, url]) => {
        const match = matches.get(id);
        const role = id === status.leader ? 'leader' : 'follower';
        return match === undefined
          ? { id, url, role }
          : { id, url, role, lag: status.lastIndex - match };
      });
    return [self, ...others];
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.reads.close('this coordinator is shutting down');
    this.handOver.close();
    this.transport.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.process());
  }

  /** Proposes what was submitted, then works every Ready; one frame per peer at the end. */
  private process(): void {
    this.scheduled = false;
    if (this.closed) return;
    // A leadership won in a peer's message is noted before anything queued is proposed.
    this.noteRole();
    this.proposeQueued();
    this.compact();
    this.reads.flush();
    while (this.node.hasReady()) {
      const rd = this.node.ready();
      const { early, late } = splitEarlyMessages(rd, this.storage.hardState());
      if (early.length > 0) {
        this.transport.send(early);
        this.transport.flush();
      }
      if (rd.snapshot === null) this.storage.persist(rd);
      else if (!this.install(rd)) return;
      this.transport.send(late);
      // Acks and votes leave before the apply below, which can take a while.
      if (late.length > 0 && rd.committedEntries.length > 0) this.transport.flush();
      if (rd.committedEntries.length > 0 && !this.apply(rd.committedEntries)) return;
      this.node.advance(rd);
      this.reads.onReady(rd.readStates, this.node.status().applied);
      this.noteRole();
      this.proposeFollowUp(rd.committedEntries.length > 0);
      this.proposeQueued();
      this.compact();
    }
    this.transport.flush();
    this.noteRole();
    this.handOver.check();
  }

  private proposeQueued(): void {
    if (this.proposals.length === 0) return;
    const queued = this.proposals;
    this.proposals = [];
    for (const { command, done, failed } of queued) {
      const result = this.node.propose(JSON.stringify(command));
      if (!result.accepted) {
        this.options.logger.debug({ type: command.type }, 'not the leader: command dropped');
        failed?.(NOT_LEADER);
      } else if (done !== undefined || failed !== undefined) {
        this.pending.set(result.index, { term: result.term, done, failed });
      }
    }
  }

  /**
   * Applies committed entries, each checked against the command schema first. An entry that
   * is not a command stops this member (false) before anything of the batch is applied: every
   * member would meet the same entry, and applying it could corrupt the state.
   */
  private apply(entries: Entry[]): boolean {
    const batch: Array<{ command: Command; done: Done | undefined }> = [];
    for (const entry of entries) {
      const waiting = this.pending.get(entry.index);
      this.pending.delete(entry.index);
      if (entry.index === this.followUpAt) this.followUpAt = undefined;
      if (entry.kind !== 'normal') continue;
      // Only the submitter of this very entry is answered; another term's entry replaced it.
      if (waiting !== undefined && waiting.term !== entry.term) waiting.failed?.(LEADERSHIP_LOST);
      const done = waiting?.term === entry.term ? waiting.done : undefined;
      const command = decodeCommand(entry);
      if (typeof command === 'string') {
        this.close();
        this.options.onFatal(new Error(command));
        return false;
      }
      batch.push({ command, done });
    }
    const last = entries[entries.length - 1]!.index;
    this.options.commit.commitNow(batch, () => this.applied.set(last));
    return true;
  }

  /**
   * Persists a Ready carrying the leader's snapshot and makes it the state: Raft's storage,
   * the tables and the applied index in one transaction, then memory in one synchronous step.
   * A snapshot this member cannot read stops it (false) before anything is stored.
   */
  private install(rd: Ready): boolean {
    const { index } = rd.snapshot!.meta;
    let restored: CoordinatorState;
    try {
      restored = decodeStateSnapshot(rd.snapshot!.data, this.state.config);
    } catch (error) {
      this.close();
      this.options.onFatal(error);
      return false;
    }
    fsynced(this.options.db, () => this.installAtomically(rd, restored));
    replaceState(this.state, restored);
    this.compactor.reset();
    this.options.onStateReplaced?.();
    this.options.logger.info({ index, tasks: restored.tasks.size }, 'installed a state snapshot');
    return true;
  }

  /** Takes a snapshot when the log has grown; compacts the log once one is written out. */
  private compact(): void {
    const { applied, firstIndex } = this.node.status();
    const snapshot = this.compactor.poll(this.state, applied, firstIndex - 1);
    if (snapshot === undefined) return;
    this.node.compact(snapshot.index, snapshot.data);
    this.options.logger.info({ index: snapshot.index }, 'compacted the log up to a state snapshot');
  }

  /** The leader schedules from the applied state; one placement command in flight at a time. */
  private proposeFollowUp(appliedSome: boolean): void {
    if (!this.leading || !appliedSome || this.followUpAt !== undefined) return;
    const command = this.options.followUp(this.state);
    if (command === undefined) return;
    const result = this.node.propose(JSON.stringify(command));
    if (result.accepted) this.followUpAt = result.index;
  }

  private noteRole(): void {
    const leading = this.node.status().role === 'leader';
    if (leading === this.leading) return;
    this.leading = leading;
    this.leaderSince = leading ? Date.now() : 0;
    this.followUpAt = undefined;
    if (!leading) {
      for (const { failed } of this.pending.values()) failed?.(LEADERSHIP_LOST);
      this.pending.clear();
    }
    this.options.logger.info(
      { term: this.node.status().term },
      leading ? 'became the leader' : 'no longer the leader',
    );
    if (leading) this.awaitWorkers();
    this.options.onRoleChange(leading);
  }

  /**
   * A new leader's first command: the workers the state says are connected were connected to
   * another member, so none gets new tasks before it has registered here. Proposed before any
   * placement and before this member takes a worker's connection, so in the log it comes after
   * every earlier registration and before every one made with this leader.
   */
  private awaitWorkers(): void {
    const command: Command = { type: 'LeaderElected', now: Date.now() };
    if (!this.node.propose(JSON.stringify(command)).accepted) {
      this.options.logger.warn('could not propose LeaderElected; workers keep their status');
    }
  }
}

/** A committed entry's command, or why it is none. */
function decodeCommand(entry: Entry): Command | string {
  const parsed = parseBoundedJson(entry.data, { maxDepth: MAX_JSON_DEPTH });
  const decoded = parsed.ok
    ? parseWith(StateCommand, parsed.value, 'command')
    : { ok: false as const, error: parsed.error };
  if (decoded.ok) return decoded.message;
  return `the Raft log's entry ${entry.index} (term ${entry.term}) is no command this coordinator can apply: ${decoded.error.message}`;
}
