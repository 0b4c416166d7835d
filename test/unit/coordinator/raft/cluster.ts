import {
  type Entry,
  type HardState,
  MemoryStorage,
  type Message,
  type NodeId,
  type RaftConfig,
  RaftNode,
  type ReadState,
  type Ready,
} from '../../../../coordinator/raft/index.js';

export interface Member {
  raft: RaftNode;
  storage: MemoryStorage;
  /** Normal entries applied, as data; a restored snapshot replaces them with its data. */
  applied: string[];
  readStates: ReadState[];
  readies: Ready[];
}

export type Options = Partial<Omit<RaftConfig, 'id' | 'peers'>>;

/** Seeds a storage with a log and hard state, as if an earlier run had persisted them. */
export function storageWith(
  entries: [index: number, term: number][],
  hs: HardState,
): MemoryStorage {
  const storage = new MemoryStorage();
  storage.persist({
    hardState: hs,
    entries: entries.map(
      ([index, term]): Entry => ({ index, term, kind: 'normal', data: `e${index}` }),
    ),
    snapshot: null,
    compaction: null,
  });
  return storage;
}

/** A hand-driven group: messages wait in a queue until delivered, links can be cut. */
export class Cluster {
  readonly members = new Map<NodeId, Member>();
  queue: Message[] = [];
  private readonly cut = new Set<string>();

  constructor(
    readonly ids: NodeId[],
    private readonly options: Options = {},
    storages: Record<NodeId, MemoryStorage> = {},
  ) {
    for (const id of ids) this.start(id, storages[id] ?? new MemoryStorage());
  }

  start(id: NodeId, storage: MemoryStorage): void {
    // Distinct, fixed election timeouts (10, 13, 17, ... ticks) so that votes do not split.
    const jitter = (this.ids.indexOf(id) * 0.37) % 1;
    const raft = new RaftNode(
      {
        id,
        peers: this.ids,
        electionTicks: 10,
        heartbeatTicks: 1,
        random: () => jitter,
        ...this.options,
      },
      storage,
    );
    this.members.set(id, { raft, storage, applied: [], readStates: [], readies: [] });
  }

  node(id: NodeId): RaftNode {
    return this.member(id).raft;
  }

  member(id: NodeId): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  /** Persists, queues messages, applies and advances every Ready the node has. */
  settle(id: NodeId): void {
    const m = this.member(id);
    while (m.raft.hasReady()) this.handle(id, m.raft.ready());
  }

  /** Does what a Ready asks, in order, and advances. */
  handle(id: NodeId, rd: Ready): void {
    const m = this.member(id);
    m.readies.push(rd);
    m.storage.persist(rd);
    this.queue.push(...rd.messages);
    if (rd.snapshot) m.applied = [rd.snapshot.data];
    for (const e of rd.committedEntries) if (e.kind === 'normal') m.applied.push(e.data);
    m.readStates.push(...rd.readStates);
    m.raft.advance(rd);
  }

  settleAll(): void {
    for (const id of this.ids) this.settle(id);
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Delivers queued messages (and what they cause) until none is left; returns them. */
  deliverAll(keep: (m: Message) => boolean = () => true): Message[] {
    const delivered: Message[] = [];
    this.settleAll();
    for (let round = 0; this.queue.length > 0; round++) {
      if (round > 10_000) throw new Error('messages never stop');
      const batch = this.queue;
      this.queue = [];
      for (const msg of batch) {
        if (this.cut.has(`${msg.from}>${msg.to}`) || !keep(msg)) continue;
        delivered.push(msg);
        this.node(msg.to).step(msg);
        this.settle(msg.to);
      }
    }
    return delivered;
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).tick();
      this.settle(id);
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const id of this.ids) this.tick(id);
  }

  /** Makes `id` campaign and delivers everything; returns the messages that flowed. */
  elect(id: NodeId): Message[] {
    this.node(id).campaign();
    return this.deliverAll();
  }

  propose(id: NodeId, data: string): number {
    const result = this.node(id).propose(data);
    if (!result.accepted) throw new Error(`${id} refused ${data}`);
    this.settle(id);
    return result.index;
  }
}
