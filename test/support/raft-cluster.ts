import { reservePort, type Spawned, spawnDtf } from './processes.js';
import { tempDir } from './temp-dir.js';

export const CLUSTER_TOKEN = 'test-cluster-secret-0123456789';

export interface Member extends Spawned {
  id: string;
  url: string;
  wsUrl: string;
  /** The command line, to start the member again on the same port and data dir. */
  args: string[];
}

export interface RaftStatusBody {
  role: string;
  raft?: {
    id: string;
    term: number;
    leader: string | null;
    commitIndex: number;
    appliedIndex: number;
  };
  tasks: Record<string, number>;
}

/** `n` coordinator processes forming one Raft group on reserved loopback ports (no auth). */
export async function startRaftCluster(n: number): Promise<Member[]> {
  const ports = await Promise.all(Array.from({ length: n }, () => reservePort()));
  const ids = ports.map((_, i) => `c${i + 1}`);
  const peers = ids.map((id, i) => `${id}=http://127.0.0.1:${ports[i]}`).join(',');
  const members = ids.map((id, i) => {
    const args = [
      'coordinator',
      '--insecure-no-auth',
      '--port',
      String(ports[i]),
      '--data-dir',
      tempDir(`dtf-raft-${id}-`),
      '--heartbeat-ms',
      '200',
      '--id',
      id,
      '--peers',
      peers,
    ];
    const url = `http://127.0.0.1:${ports[i]}`;
    return { ...spawnMember(args), id, url, wsUrl: `ws://127.0.0.1:${ports[i]}/ws`, args };
  });
  await Promise.all(members.map((m) => m.waitFor(/DTF coordinator listening on/)));
  return members;
}

function spawnMember(args: string[]): Spawned {
  return spawnDtf(args, { DTF_CLUSTER_TOKEN: CLUSTER_TOKEN });
}

/** Starts a (killed) member again with its port and data dir. */
export async function restartMember(member: Member): Promise<Member> {
  const again = { ...member, ...spawnMember(member.args) };
  await again.waitFor(/DTF coordinator listening on/);
  return again;
}

const LEADER_LOG = '"msg":"became the leader"';

function timesLed(member: Member): number {
  return member.output().split(LEADER_LOG).length - 1;
}

/**
 * The member that next logs that it became the leader, among `members` (each counted from how
 * often it had led when the wait began).
 */
export function nextLeader(members: Member[], timeoutMs = 20_000): Promise<Member> {
  return Promise.any(
    members.map(async (member) => {
      const times = timesLed(member) + 1;
      const pattern = new RegExp(
        `(?:${LEADER_LOG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?){${times}}`,
      );
      await member.waitFor(pattern, timeoutMs);
      return member;
    }),
  );
}

export async function memberStatus(member: Member): Promise<RaftStatusBody> {
  const res = await fetch(`${member.url}/api/status`);
  return (await res.json()) as RaftStatusBody;
}

/** Resolves once `probe` holds, checking every `everyMs`; for state that converges by itself. */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
