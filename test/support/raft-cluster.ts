import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reservePort, type Spawned, spawnDtf } from './processes.js';
import { tempDir } from './temp-dir.js';

export const CLUSTER_TOKEN = 'test-cluster-secret-0123456789';

/** The members' Raft timing: a tick, and the base election timeout in ticks (drawn from 1-2x). */
const RAFT_TICK_MS = 50;
const RAFT_ELECTION_TICKS = 10;
/** The longest election timeout a member draws. */
const MAX_ELECTION_MS = 2 * RAFT_ELECTION_TICKS * RAFT_TICK_MS;
/**
 * How long a wait for a leader allows: an election needs one timeout, but split votes take more
 * rounds, and on a busy machine timers fire late and messages wait for a core, so many rounds.
 */
export const LEADER_WAIT_MS = 60 * MAX_ELECTION_MS;
/** How long a wait for members to converge (replicate, apply, catch up) allows by default. */
const CONVERGE_WAIT_MS = 60_000;

export interface Member extends Spawned {
  id: string;
  url: string;
  wsUrl: string;
  /** The command line, to start the member again on the same port and data dir. */
  args: string[];
  /** More environment for its process (keys given up front). */
  env: NodeJS.ProcessEnv;
  dataDir: string;
}

/** The cluster's one admin key and worker token, and the member that created them. */
export interface ClusterCredentials {
  adminKey: string;
  workerToken: string;
  creator: Member;
}

export interface RaftStatusBody {
  role: string;
  raft?: {
    id: string;
    term: number;
    leader: string | null;
    commitIndex: number;
    appliedIndex: number;
    firstIndex: number;
    lastIndex: number;
    readRounds: number;
  };
  tasks: Record<string, number>;
}

/**
 * `n` coordinator processes forming one Raft group on reserved loopback ports, with auth;
 * `extraArgs` go to every member's command line.
 */
export async function startRaftCluster(
  n: number,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
  /** `https` for members started with `--tls-cert` and `--tls-key` (and `--ca` to trust each other). */
  scheme: 'http' | 'https' = 'http',
): Promise<Member[]> {
  const ports = await Promise.all(Array.from({ length: n }, () => reservePort()));
  const ids = ports.map((_, i) => `c${i + 1}`);
  const peers = ids.map((id, i) => `${id}=${scheme}://127.0.0.1:${ports[i]}`).join(',');
  const members = ids.map((id, i) => {
    const dataDir = tempDir(`dtf-raft-${id}-`);
    const args = [
      'coordinator',
      '--port',
      String(ports[i]),
      '--data-dir',
      dataDir,
      '--heartbeat-ms',
      '200',
      '--raft-tick-ms',
      String(RAFT_TICK_MS),
      '--raft-election-ticks',
      String(RAFT_ELECTION_TICKS),
      '--id',
      id,
      '--peers',
      peers,
      ...extraArgs,
    ];
    const url = `${scheme}://127.0.0.1:${ports[i]}`;
    return {
      ...spawnMember(args, env),
      id,
      url,
      wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${ports[i]}/ws`,
      args,
      env,
      dataDir,
    };
  });
  await Promise.all(members.map((m) => m.waitFor(/DTF coordinator listening on/)));
  return members;
}

function spawnMember(args: string[], env: NodeJS.ProcessEnv): Spawned {
  return spawnDtf(args, { DTF_CLUSTER_TOKEN: CLUSTER_TOKEN, ...env });
}

/**
 * `count` Node workers named `w1`, `w2`, ..., each given every member's URL (followers send
 * them on to the leader); resolves once each has registered.
 */
export async function startClusterWorkers(
  members: Member[],
  workerToken: string,
  count: number,
  slots = 4,
): Promise<Spawned[]> {
  const urls = members.map((m) => m.wsUrl).join(',');
  const workers = Array.from({ length: count }, (_, i) =>
    spawnDtf([
      'worker',
      '--coordinator',
      urls,
      '--token',
      workerToken,
      '--slots',
      String(slots),
      '--name',
      `w${i + 1}`,
    ]),
  );
  await Promise.all(workers.map((w) => w.waitFor(/DTF worker \S+ registered/)));
  return workers;
}

/** Starts a (killed) member again with its port and data dir. */
export async function restartMember(member: Member): Promise<Member> {
  const again = { ...member, ...spawnMember(member.args, member.env) };
  await again.waitFor(/DTF coordinator listening on/);
  return again;
}

const LEADER_LOG = '"msg":"became the leader"';

function timesLed(member: Member): number {
  return member.output().split(LEADER_LOG).length - 1;
}

/** The term of the last time `member` logged that it became the leader; 0 if it never did. */
function lastTermLed(member: Member): number {
  const terms = [...member.output().matchAll(/"term":(\d+),"msg":"became the leader"/g)];
  return Number(terms.at(-1)?.[1] ?? 0);
}

/** The first member of `members` that has led more often than `times(member)`. */
async function ledMoreThan(
  members: Member[],
  times: (member: Member) => number,
  timeoutMs: number,
): Promise<Member> {
  try {
    return await Promise.any(
      members.map(async (member) => {
        const pattern = new RegExp(
          `(?:${LEADER_LOG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?){${times(member) + 1}}`,
        );
        await member.waitFor(pattern, timeoutMs);
        return member;
      }),
    );
  } catch (error) {
    const tails = members.map((m) => `${m.id}:\n${m.output().slice(-2000)}`).join('\n');
    throw new Error(`none of ${members.map((m) => m.id)} became the leader:\n${tails}`, {
      cause: error,
    });
  }
}

/**
 * The member that next logs that it became the leader, among `members` (each counted from how
 * often it had led when the wait began): call it before what makes the leader change.
 */
export function nextLeader(members: Member[], timeoutMs = LEADER_WAIT_MS): Promise<Member> {
  const led = new Map(members.map((m) => [m, timesLed(m)]));
  return ledMoreThan(members, (m) => led.get(m)!, timeoutMs);
}

/**
 * A new cluster's leader, once one has been elected: the member that led in the highest term.
 * Not `nextLeader`: on a busy machine two members elected one before the third had started,
 * before a wait counted from then could begin; and leadership may have moved on since.
 */
export async function firstLeader(members: Member[], timeoutMs = LEADER_WAIT_MS): Promise<Member> {
  await ledMoreThan(members, () => 0, timeoutMs);
  return members.reduce((a, b) => (lastTermLed(b) > lastTermLed(a) ? b : a));
}

/**
 * The keys a leader created for the whole cluster, read from the one member whose data dir got
 * `credentials.json`; waits until a member has written it.
 */
export async function clusterCredentials(
  members: Member[],
  timeoutMs = CONVERGE_WAIT_MS,
): Promise<ClusterCredentials> {
  let found: ClusterCredentials | undefined;
  await eventually(
    async () => {
      const creators = members.filter((m) => existsSync(join(m.dataDir, 'credentials.json')));
      if (creators.length > 1) {
        throw new Error(`more than one member created credentials: ${creators.map((m) => m.id)}`);
      }
      const creator = creators[0];
      if (creator === undefined) return false;
      const text = readFileSync(join(creator.dataDir, 'credentials.json'), 'utf8');
      if (!text.endsWith('\n')) return false;
      found = { ...(JSON.parse(text) as { adminKey: string; workerToken: string }), creator };
      return true;
    },
    'a member has created the cluster credentials',
    timeoutMs,
  );
  return found!;
}

/** Whether the member's process is running (not killed). */
export function isRunning(member: Member): boolean {
  return member.child.exitCode === null && member.child.signalCode === null;
}

/** The member that every running member names as the leader, once they agree. */
export async function agreedLeader(
  members: Member[],
  adminKey: string,
  timeoutMs = LEADER_WAIT_MS,
): Promise<Member> {
  let leader: Member | undefined;
  await eventually(
    async () => {
      const running = members.filter(isRunning);
      const named = await Promise.all(
        running.map((m) =>
          memberStatus(m, adminKey).then(
            (s) => s.raft?.leader ?? null,
            () => null,
          ),
        ),
      );
      leader = running.find((m) => m.id === named[0]);
      return leader !== undefined && named.every((id) => id === leader!.id);
    },
    'the running members agree on a leader',
    timeoutMs,
  );
  return leader!;
}

/**
 * Resolves once `member` (started again) is a follower that has applied everything `leader`
 * had committed when the wait began.
 */
export async function waitUntilCaughtUp(
  member: Member,
  leader: Member,
  adminKey: string,
  timeoutMs = CONVERGE_WAIT_MS,
): Promise<void> {
  const target = (await memberStatus(leader, adminKey)).raft!.commitIndex;
  await eventually(
    async () => {
      // Until its replay reaches the credentials entry it answers 503.
      const s = await memberStatus(member, adminKey).catch(() => undefined);
      return s?.role === 'follower' && s.raft!.appliedIndex >= target;
    },
    `${member.id} has applied up to index ${target}`,
    timeoutMs,
  );
}

export async function memberStatus(member: Member, adminKey: string): Promise<RaftStatusBody> {
  const res = await fetch(`${member.url}/api/status`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (res.status !== 200)
    throw new Error(`${member.id}: /api/status ${res.status} ${await res.text()}`);
  return (await res.json()) as RaftStatusBody;
}

/**
 * Resolves once `probe` holds, checking every `everyMs`; for state that converges by itself. The
 * default allows for replication and restarts on a busy machine, several times slower than a
 * quiet one.
 */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = CONVERGE_WAIT_MS,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A REST reply: an error's body, or else a `T`. */
export interface MemberReply<T> {
  status: number;
  /** The parsed JSON body; undefined for an empty one (a redirect). */
  body: (T & { error?: undefined }) | { error: { code: string; message: string } } | undefined;
  location: string | null;
}

/** Reads a member's answer: status, parsed JSON body (if any) and redirect target. */
async function memberReply<T>(res: Response): Promise<MemberReply<T>> {
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : JSON.parse(text),
    location: res.headers.get('location'),
  };
}

/** One REST call to `member` with `token`; a redirect is returned, not followed. */
export async function callMember<T = unknown>(
  member: Member,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<MemberReply<T>> {
  const res = await fetch(`${member.url}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return memberReply(res);
}

/** `PUT /api/artifacts` of `bytes` at `member` (admin key); a redirect is returned, not followed. */
export async function putArtifact(
  member: Member,
  adminKey: string,
  bytes: Uint8Array,
): Promise<MemberReply<{ ref: string; size: number; created: boolean }>> {
  const res = await fetch(`${member.url}/api/artifacts`, {
    method: 'PUT',
    redirect: 'manual',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return memberReply(res);
}

/** `GET /api/artifacts/<hex>` at `member`: the status and the bytes (a redirect not followed). */
export async function getArtifact(
  member: Member,
  token: string,
  hex: string,
): Promise<{ status: number; bytes: Buffer; location: string | null }> {
  const res = await fetch(`${member.url}/api/artifacts/${hex}`, {
    redirect: 'manual',
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    bytes: Buffer.from(await res.arrayBuffer()),
    location: res.headers.get('location'),
  };
}
