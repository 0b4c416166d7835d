import WebSocket from 'ws';
import { RAFT_FROM_HEADER, raftStreamUrl } from '../../protocol/index.js';
import { HostileInput } from './hostile-input.js';

/** Where the fuzzer sends: a coordinator, or the members of a cluster. */
export interface FuzzTarget {
  /** `/ws` of the coordinator that takes workers and clients (a cluster's leader). */
  wsUrl: string;
  /** Cluster mode: `/ws` of the followers, which refuse every connection after its upgrade. */
  followerWsUrls?: string[];
  /** REST base URLs; requests are spread over them. */
  restUrls: string[];
  adminKey: string;
  workerToken: string;
  /** Cluster mode: every member's URL and id, and the cluster secret, for the peer paths. */
  peers?: { id: string; url: string }[];
  clusterToken?: string;
}

export interface FuzzCounts {
  ws: number;
  rest: number;
  handshakes: number;
  raft: number;
  total: number;
  /** Replies and errors seen, and bytes of `/ws` messages sent, for the record. */
  replies: number;
  wsBytes: number;
  /** Why a lane stopped early: a socket that could not be opened (a member down). */
  failures: string[];
  ms: number;
}

/** Messages a lane sends before it waits for the coordinator to have read them (a ping). */
const BURST = 250;

type Lane = 'ws' | 'rest' | 'handshakes' | 'raft';

/**
 * The share of the messages of each kind of lane but `/ws`, which sends the rest: it is the
 * cheapest to send and the richest; a REST request or a handshake costs a connection's worth
 * of work on both sides.
 */
const SHARES = { rest: 0.05, handshakes: 0.005, raft: 0.2 };

/**
 * Sends at least `total` hostile messages to `target` from concurrent lanes: `/ws` with the
 * worker token and with the admin key, REST with every kind of token, handshakes with none or
 * a wrong one, and (cluster) peer frames with the cluster secret, each kind its share of
 * `total`. The generators are seeded from `seed`: the messages are the same on every run,
 * only their interleaving is not.
 */
export async function fuzz(target: FuzzTarget, seed: number, total: number): Promise<FuzzCounts> {
  const counts: FuzzCounts = {
    ws: 0,
    rest: 0,
    handshakes: 0,
    raft: 0,
    total: 0,
    replies: 0,
    wsBytes: 0,
    failures: [],
    ms: 0,
  };
  const started = performance.now();
  const quota: Record<Lane, number> = {
    ws: 0,
    rest: Math.ceil(total * SHARES.rest),
    handshakes: Math.ceil(total * SHARES.handshakes),
    raft: target.peers === undefined ? 0 : Math.ceil(total * SHARES.raft),
  };
  quota.ws = total - quota.rest - quota.handshakes - quota.raft;
  const more = (lane: Lane) => () => counts[lane] < quota[lane];
  const sent = (lane: Lane) => () => {
    counts[lane]++;
    counts.total++;
  };
  const lanes: Promise<void>[] = [];
  let lane = 0;
  for (const token of [target.workerToken, target.workerToken, target.adminKey, target.adminKey]) {
    // One lane of each token starts with the four largest messages.
    const input = new HostileInput(seed + lane, lane++ % 2 === 0);
    const headers = { authorization: `Bearer ${token}` };
    const next = () => input.wsMessage();
    lanes.push(wsLane(target.wsUrl, headers, next, more('ws'), counts, sent('ws')));
  }
  for (const url of target.followerWsUrls ?? []) {
    const input = new HostileInput(seed + lane++);
    const headers = { authorization: `Bearer ${target.workerToken}` };
    lanes.push(wsLane(url, headers, () => input.wsMessage(), more('ws'), counts, sent('ws')));
  }
  const rest = new HostileInput(seed + lane++);
  for (let i = 0; i < 8; i++)
    lanes.push(restLane(target, rest, more('rest'), counts, sent('rest')));
  lanes.push(handshakeLane(target, more('handshakes'), sent('handshakes')));
  for (const member of target.peers ?? []) {
    // A member's secret and the name of another member: an authenticated peer that misbehaves.
    const from = target.peers!.find((m) => m.id !== member.id)!.id;
    const input = new HostileInput(seed + lane++);
    const headers = { authorization: `Bearer ${target.clusterToken}`, [RAFT_FROM_HEADER]: from };
    const url = raftStreamUrl(member.url);
    const frame = () => ({ data: input.raftFrame(from), binary: false });
    lanes.push(wsLane(url, headers, frame, more('raft'), counts, sent('raft')));
  }
  await Promise.all(lanes);
  counts.ms = performance.now() - started;
  return counts;
}

/** Bursts of messages on one socket, each followed by a ping; a socket the peer closed is reopened. */
async function wsLane(
  url: string,
  headers: Record<string, string>,
  next: () => { data: string | Buffer; binary: boolean },
  more: () => boolean,
  counts: FuzzCounts,
  sent: () => void,
): Promise<void> {
  while (more()) {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.on('message', () => counts.replies++);
    let refusal = '';
    socket.on('error', (error) => (refusal ||= error.message));
    const closed = new Promise<false>((resolve) => socket.once('close', () => resolve(false)));
    const opened = await Promise.race([
      new Promise<true>((resolve) => socket.once('open', () => resolve(true))),
      closed,
    ]);
    if (!opened) {
      counts.failures.push(`could not open ${url}: ${refusal}`);
      return;
    }
    while (more() && socket.readyState === WebSocket.OPEN) {
      for (let i = 0; i < BURST && socket.readyState === WebSocket.OPEN; i++) {
        const { data, binary } = next();
        socket.send(data, { binary });
        counts.wsBytes += data.length;
        sent();
      }
      // The coordinator answers the ping once it has read every message before it.
      const pong = new Promise<true>((resolve) => socket.once('pong', () => resolve(true)));
      if (socket.readyState === WebSocket.OPEN) socket.ping();
      if (!(await Promise.race([pong, closed]))) break;
    }
    socket.terminate();
    await closed;
  }
}

/** REST requests one after another, the body of each read to the end. */
async function restLane(
  target: FuzzTarget,
  input: HostileInput,
  more: () => boolean,
  counts: FuzzCounts,
  sent: () => void,
): Promise<void> {
  let n = 0;
  while (more()) {
    const request = input.restRequest({ admin: target.adminKey, worker: target.workerToken });
    const base = target.restUrls[n++ % target.restUrls.length]!;
    sent();
    try {
      const res = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers: request.headers,
        redirect: 'manual',
        ...(request.body === undefined || request.method === 'GET' || request.method === 'HEAD'
          ? {}
          : { body: request.body }),
      });
      await res.arrayBuffer();
      counts.replies++;
    } catch {
      // The coordinator may close a connection it refuses (a body it will not read); whether it
      // is still alive is checked after the run.
    }
  }
}

/** Upgrades to `/ws` with no token, a wrong one, or to a path that is not `/ws`. */
async function handshakeLane(
  target: FuzzTarget,
  more: () => boolean,
  sent: () => void,
): Promise<void> {
  const admin = { authorization: `Bearer ${target.adminKey}` };
  const attempts = [
    () => new WebSocket(target.wsUrl),
    () => new WebSocket(`${target.wsUrl}?token=wrong`),
    () => new WebSocket(target.wsUrl, { headers: { authorization: 'Bearer wrong' } }),
    () => new WebSocket(target.wsUrl, { headers: { authorization: 'Basic Zm9vOmJhcg==' } }),
    () => new WebSocket(target.wsUrl.replace(/\/ws$/, '/wsx'), { headers: admin }),
    () => new WebSocket(target.wsUrl.replace(/\/ws$/, '/raft'), { headers: admin }),
  ];
  for (let n = 0; more(); n++) {
    const socket = attempts[n % attempts.length]!();
    sent();
    await new Promise<void>((resolve) => {
      socket.on('error', () => {});
      socket.once('open', () => socket.terminate());
      socket.once('close', () => resolve());
    });
  }
}
