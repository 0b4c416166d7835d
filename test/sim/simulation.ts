import {
  MemoryStorage,
  type Message,
  type NodeId,
  RaftNode,
  type Ready,
  splitEarlyMessages,
} from '../../coordinator/raft/index.js';
import { type AppState, Checker, Violation } from './checker.js';
import { Network, type NetworkProfile } from './network.js';
import { Prng } from './prng.js';

export interface SimOptions {
  seed: number;
  /** Group size; by default 3 for even seeds and 5 for odd ones. */
  nodes?: number;
  /** Steps (time units) of faults before the network heals for the liveness check. */
  steps?: number;
  /** Keep the last events and print them with a failure. */
  trace?: boolean;
}

export interface SimResult {
  seed: number;
  nodes: number;
  steps: number;
  elections: number;
  commits: number;
  reads: number;
  snapshots: number;
  crashes: number;
  partitions: number;
  messages: number;
  /** Steps from healing until a new proposal committed. */
  recoverySteps: number;
}

export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly reason: string,
    steps: number,
    trace: string[],
  ) {
    const rerun = `DTF_SIM_SEED=${seed}${steps === DEFAULT_STEPS ? '' : ` DTF_SIM_STEPS=${steps}`}`;
    const events = trace.length > 0 ? `\nlast events:\n  ${trace.join('\n  ')}` : '';
    super(`seed ${seed} failed at step ${step}: ${reason}; rerun with ${rerun}${events}`);
  }
}

export const DEFAULT_STEPS = 6000;
/** Time units between two ticks of one node. */
const TICK = 10;
const ELECTION_TICKS = 10;
const LIVENESS_BUDGET = 500 * TICK;
const TRACE_LENGTH = 150;
const MAX_BACKLOG = 40;

interface SimNode {
  id: NodeId;
  storage: MemoryStorage;
  raft: RaftNode | null;
  app: AppState | null;
  /** Ticks happen when now % TICK equals this, so nodes do not tick in lockstep. */
  phase: number;
}

interface Rates {
  propose: number;
  read: number;
  faults: number;
  compactEvery: number;
  crashMidReady: number;
  /** Probability that a new leader is crashed or cut off soon after its election. */
  flap: number;
}

function describe(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'Append':
      return `${head} prev=${m.prevIndex}/${m.prevTerm} n=${m.entries.length} commit=${m.commit}`;
    case 'AppendResp':
      return `${head} index=${m.index}${m.reject ? ` reject hint=${m.hintIndex}/${m.hintTerm}` : ''}`;
    case 'PreVote':
    case 'Vote':
      return `${head} last=${m.lastIndex}/${m.lastTerm}`;
    case 'PreVoteResp':
    case 'VoteResp':
      return `${head}${m.reject ? ' reject' : ''}`;
    case 'Heartbeat':
      return `${head} commit=${m.commit}${m.context ? ` ctx=${m.context}` : ''}`;
    case 'Snapshot':
      return `${head} at=${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
    case 'ReadIndex':
    case 'ReadIndexResp':
      return `${head} ctx=${m.context}`;
    default:
      return head;
  }
}

class Simulation {
  private readonly rng: Prng;
  private readonly nodes: SimNode[];
  private readonly network: Network;
  private readonly checker: Checker;
  private readonly rates: Rates;
  private readonly raftSettings: {
    heartbeatTicks: number;
    preVote: boolean;
    checkQuorum: boolean;
    maxSizePerMsg: number;
    maxInflightMsgs: number;
  };
  private readonly trace: string[] | null;
  private scheduled: { at: number; run: () => void }[] = [];
  private now = 0;
  step = 0;
  private proposals = 0;
  private reads = 0;
  private crashes = 0;
  private partitions = 0;

  constructor(
    readonly seed: number,
    size: number,
    private readonly steps: number,
    trace: boolean,
  ) {
    this.rng = new Prng(seed);
    const rng = this.rng;
    const minDelay = rng.range(1, 3);
    const profile: NetworkProfile = {
      loss: rng.pick([0, 0.01, 0.05, 0.2]),
      duplicate: rng.pick([0, 0.02, 0.1]),
      minDelay,
      maxDelay: minDelay + rng.range(2, 30),
      slow: rng.pick([0, 0.01, 0.05]),
      fifo: rng.chance(0.5),
    };
    this.network = new Network(rng.fork(), profile);
    this.raftSettings = {
      heartbeatTicks: rng.range(1, 3),
      preVote: rng.chance(0.85),
      checkQuorum: rng.chance(0.85),
      maxSizePerMsg: rng.pick([1, 1, 64, 4096]),
      maxInflightMsgs: rng.pick([1, 4, 64]),
    };
    this.rates = {
      propose: rng.pick([0.02, 0.05, 0.15]),
      read: rng.pick([0.01, 0.05]),
      faults: rng.pick([0.5, 1, 2, 4]),
      compactEvery: rng.range(3, 40),
      crashMidReady: rng.pick([0, 0.002]),
      flap: rng.pick([0, 0.3, 0.6]),
    };
    this.trace = trace ? [] : null;
    this.nodes = [];
    for (let i = 1; i <= size; i++) {
      this.nodes.push({
        id: `n${i}`,
        storage: new MemoryStorage(),
        raft: null,
        app: null,
        phase: rng.int(TICK),
      });
    }
    this.checker = new Checker(() => this.liveLeaders());
    for (const node of this.nodes) this.start(node);
    this.note(`profile ${JSON.stringify({ profile, raft: this.raftSettings, rates: this.rates })}`);
  }

  private note(event: string): void {
    if (!this.trace) return;
    this.trace.push(`[${this.step}] ${event}`);
    if (this.trace.length > TRACE_LENGTH) this.trace.shift();
  }

  fail(reason: string): never {
    throw new SimFailure(this.seed, this.step, reason, this.steps, this.trace ?? []);
  }

  private up(): SimNode[] {
    return this.nodes.filter((n) => n.raft !== null);
  }

  private liveLeaders(): RaftNode[] {
    const out: RaftNode[] = [];
    for (const n of this.nodes) if (n.raft?.status().role === 'leader') out.push(n.raft);
    return out;
  }

  private start(node: SimNode): void {
    const snapshot = node.storage.snapshot();
    const app: AppState =
      snapshot.meta.index > 0 ? (JSON.parse(snapshot.data) as AppState) : { index: 0, hash: 0 };
    this.checker.restore(node.id, snapshot.meta.index, app);
    node.app = app;
    const random = this.rng.fork();
    node.raft = new RaftNode(
      {
        id: node.id,
        peers: this.nodes.map((n) => n.id),
        electionTicks: ELECTION_TICKS,
        random: () => random.next(),
        ...this.raftSettings,
      },
      node.storage,
    );
    this.note(`start ${node.id} at ${JSON.stringify(node.storage.hardState())}`);
  }

  private crash(node: SimNode, when: string): void {
    node.raft = null;
    node.app = null;
    this.crashes++;
    this.note(`crash ${node.id} ${when}`);
    // Most peers' transports notice the closed stream soon after; some never do.
    for (const peer of this.up()) {
      if (this.rng.chance(0.7)) this.reportUnreachable(peer, node.id, this.rng.range(1, TICK));
    }
  }

  /** `peer`'s transport reports `to` unreachable after `delay`, whether or not `to` is down. */
  private reportUnreachable(peer: SimNode, to: NodeId, delay: number): void {
    const raft = peer.raft;
    this.scheduled.push({
      at: this.now + delay,
      run: () => {
        if (peer.raft !== raft || raft === null) return;
        this.note(`${peer.id} reports ${to} unreachable`);
        raft.reportUnreachable(to);
        this.settle(peer);
      },
    });
  }

  /** Hands every Ready of the node to "disk", network and state machine, as a real edge would. */
  private settle(node: SimNode): void {
    while (node.raft?.hasReady()) {
      const raft = node.raft;
      const rd: Ready = raft.ready();
      this.checker.onReady(node.id, raft, rd, node.storage.hardState());
      // As the coordinator's host does: a leader's appends leave before its own write.
      const { early, late } = splitEarlyMessages(rd, node.storage.hardState());
      for (const m of early) this.network.send(this.now, m);
      if (early.length > 0 && this.rng.chance(this.rates.crashMidReady)) {
        this.crash(node, 'after sending its appends, before persisting');
        return;
      }
      node.storage.persist(rd);
      if (this.rng.chance(this.rates.crashMidReady)) {
        this.crash(node, 'after persisting, before sending and applying');
        return;
      }
      for (const m of late) this.network.send(this.now, m);
      if (rd.snapshot) {
        const app = JSON.parse(rd.snapshot.data) as AppState;
        this.checker.restore(node.id, rd.snapshot.meta.index, app);
        node.app = app;
        this.checker.snapshotsInstalled++;
        this.note(`${node.id} installs snapshot at ${app.index}`);
      }
      let app = node.app!;
      for (const e of rd.committedEntries) app = this.checker.apply(node.id, app, e);
      node.app = app;
      for (const rs of rd.readStates) this.checker.readDone(node.id, rs.context, rs.index);
      raft.advance(rd);
      if (app.index - (node.storage.firstIndex() - 1) >= this.rates.compactEvery) {
        raft.compact(app.index, JSON.stringify(app));
      }
    }
    const raft = node.raft;
    if (raft?.status().role === 'leader' && this.checker.observeLeader(raft)) {
      if (this.rng.chance(this.rates.flap)) this.flap(node, raft);
    }
  }

  /**
   * Schedules the loss of a new leader before it has replicated much: the churn that leaves
   * logs with uncommitted tails of several terms (the ground of Figure 8 in the Raft paper).
   */
  private flap(node: SimNode, raft: RaftNode): void {
    const at = this.now + this.rng.range(0, 3 * TICK);
    const crash = this.rng.chance(0.5);
    this.scheduled.push({
      at,
      run: () => {
        if (node.raft !== raft || raft.status().role !== 'leader') return;
        if (crash) this.crash(node, 'soon after its election');
        else {
          this.network.partition([
            [node.id],
            this.nodes.filter((n) => n !== node).map((n) => n.id),
          ]);
          this.partitions++;
          this.note(
            `partition ${this.network.describePartition()} soon after ${node.id}'s election`,
          );
        }
      },
    });
  }

  private advanceTime(): void {
    this.now++;
    if (this.scheduled.length > 0) {
      const due = this.scheduled.filter((s) => s.at <= this.now);
      this.scheduled = this.scheduled.filter((s) => s.at > this.now);
      for (const s of due) s.run();
    }
    for (const m of this.network.take(this.now)) {
      const node = this.nodes.find((n) => n.id === m.to)!;
      if (!node.raft) continue;
      if (this.trace) this.note(describe(m));
      node.raft.step(m);
      this.settle(node);
    }
    for (const node of this.nodes) {
      if (node.raft && this.now % TICK === node.phase) {
        const before = this.trace ? node.raft.status().role : null;
        node.raft.tick();
        this.settle(node);
        const after = node.raft?.status();
        if (before !== null && after && after.role !== before) {
          this.note(`${node.id} ${before} -> ${after.role} term ${after.term}`);
        }
      }
    }
  }

  private propose(): void {
    const up = this.up();
    if (up.length === 0) return;
    let node = this.rng.pick(up);
    const count = this.rng.range(1, 3);
    for (let i = 0; i < count; i++) {
      // Clients back off while the leader they reach is far behind in committing.
      const s = node.raft!.status();
      if (s.lastIndex - s.commit > MAX_BACKLOG) break;
      const data = `p${++this.proposals}`;
      const result = node.raft!.propose(data);
      if (!result.accepted) {
        // A client redirected by the hint tries once more there.
        const hinted = this.nodes.find((n) => n.id === result.leader && n.raft);
        if (!hinted) break;
        this.settle(node);
        node = hinted;
        const h = node.raft!.status();
        if (h.lastIndex - h.commit > MAX_BACKLOG) break;
        node.raft!.propose(data);
      }
    }
    this.settle(node);
  }

  private read(): void {
    const up = this.up();
    if (up.length === 0) return;
    const node = this.rng.pick(up);
    const context = `r${++this.reads}`;
    this.checker.beginRead(context, node.id);
    if (node.raft!.readIndex(context)) this.settle(node);
  }

  private partition(): void {
    const ids = this.nodes.map((n) => n.id);
    const kind = this.rng.int(3);
    let groups: NodeId[][];
    const leader = this.liveLeaders()[0]?.id;
    if (kind === 0 && leader) {
      groups = [[leader], ids.filter((id) => id !== leader)];
    } else if (kind === 1) {
      const lone = this.rng.pick(ids);
      groups = [[lone], ids.filter((id) => id !== lone)];
    } else {
      const shuffled = this.rng.shuffle(ids.slice());
      const cut = this.rng.range(1, ids.length - 1);
      groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
    }
    this.network.partition(groups);
    this.partitions++;
    this.note(`partition ${this.network.describePartition()}`);
  }

  private faults(): void {
    const rng = this.rng;
    const f = this.rates.faults;
    if (rng.chance(0.002 * f)) this.partition();
    if (this.network.partitioned() && rng.chance(0.004 * f)) {
      this.network.heal();
      this.note('heal');
    }
    if (rng.chance(0.0015 * f)) {
      const up = this.up();
      if (up.length > 0) this.crash(rng.pick(up), 'at random');
    }
    if (rng.chance(0.001 * f)) {
      const leader = this.nodes.find((n) => n.raft?.status().role === 'leader');
      if (leader) this.crash(leader, 'as leader');
    }
    for (const node of this.nodes) {
      if (!node.raft && rng.chance(0.005)) {
        this.start(node);
        this.settle(node);
      }
    }
    if (rng.chance(0.002 * f)) {
      // A stream that drops although both ends live (the receiver may believe its leader gone).
      const up = this.up();
      if (up.length > 1) {
        const peer = rng.pick(up);
        this.reportUnreachable(peer, rng.pick(up.filter((n) => n !== peer)).id, 0);
      }
    }
    if (rng.chance(0.0015 * f)) {
      const leader = this.nodes.find((n) => n.raft?.status().role === 'leader');
      if (leader) {
        const to = rng.pick(this.nodes.filter((n) => n !== leader)).id;
        this.note(`transfer ${leader.id} -> ${to}`);
        leader.raft!.transferLeadership(to);
        this.settle(leader);
      }
    }
  }

  run(): SimResult {
    while (this.step < this.steps) {
      this.step++;
      this.advanceTime();
      if (this.rng.chance(this.rates.propose)) this.propose();
      if (this.rng.chance(this.rates.read)) this.read();
      this.faults();
    }
    return this.liveness();
  }

  /** Heals everything, then a leader must emerge and commit a new proposal. */
  private liveness(): SimResult {
    this.network.heal();
    this.network.profile = { ...this.network.profile, loss: 0, duplicate: 0, slow: 0 };
    this.rates.crashMidReady = 0;
    this.rates.flap = 0;
    this.scheduled = [];
    this.note('heal all for the liveness check');
    for (const node of this.nodes) {
      if (!node.raft) {
        this.start(node);
        this.settle(node);
      }
    }
    const healedAt = this.step;
    const accepted: { index: number; term: number }[] = [];
    while (this.step < healedAt + LIVENESS_BUDGET) {
      this.step++;
      this.advanceTime();
      if (this.now % (5 * TICK) !== 0) continue;
      if (accepted.some((a) => this.checker.committed.get(a.index)?.term === a.term)) {
        return this.result(this.step - healedAt);
      }
      const leaders = this.liveLeaders().sort((a, b) => b.status().term - a.status().term);
      const leader = leaders[0];
      if (!leader) continue;
      const result = leader.propose(`live${this.step}`);
      if (result.accepted) accepted.push(result);
      this.settle(this.nodes.find((n) => n.raft === leader)!);
    }
    this.fail(
      `liveness: no proposal committed within ${LIVENESS_BUDGET} steps after healing ` +
        `(${this.describeNodes()})`,
    );
  }

  describeNodes(): string {
    return this.nodes
      .map((n) => {
        const s = n.raft?.status();
        return s
          ? `${s.id} ${s.role} t${s.term} commit=${s.commit} last=${s.lastIndex}`
          : `${n.id} down`;
      })
      .join('; ');
  }

  private result(recoverySteps: number): SimResult {
    return {
      seed: this.seed,
      nodes: this.nodes.length,
      steps: this.steps,
      elections: this.checker.elections,
      commits: this.checker.maxCommit,
      reads: this.checker.readsDone,
      snapshots: this.checker.snapshotsInstalled,
      crashes: this.crashes,
      partitions: this.partitions,
      messages: this.network.sent,
      recoverySteps,
    };
  }
}

/** Runs one seed; throws a SimFailure naming the seed and step when a check fails. */
export function runSeed(options: SimOptions): SimResult {
  const nodes = options.nodes ?? (options.seed % 2 === 0 ? 3 : 5);
  const steps = options.steps ?? DEFAULT_STEPS;
  const sim = new Simulation(options.seed, nodes, steps, options.trace ?? false);
  try {
    return sim.run();
  } catch (err) {
    if (err instanceof SimFailure) throw err;
    // A Violation from the checker, or an invariant the Raft core itself asserts.
    const reason =
      err instanceof Violation ? err.message : `threw ${err instanceof Error ? err.stack : err}`;
    return sim.fail(reason);
  }
}
