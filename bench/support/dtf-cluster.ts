import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readCredentials, spawnCoordinator } from './coordinator-process.js';
import { freeLoopbackPort } from './free-port.js';
import { NOOP_TASK } from './noop-tasks.js';
import { pollUntil } from './poll.js';
import { ProcessGroup, withProcessGroup } from './process-group.js';
import { CONVERGE_MS, ProcessCluster, type ReplicatedCluster } from './replicated-cluster.js';
import { withTempDir } from './temp-dir.js';

/** A DTF cluster of coordinator processes, with the admin key its first leader created. */
export interface DtfCluster extends ReplicatedCluster {
  readonly adminKey: string;
}

interface MemberStatus {
  role: string;
  raft: { id: string; leader: string | null; commitIndex: number; appliedIndex: number };
}

async function memberStatus(url: string, adminKey: string): Promise<MemberStatus> {
  const res = await fetch(`${url}/api/status`, {
    headers: { authorization: `Bearer ${adminKey}` },
    signal: AbortSignal.timeout(2_000),
  });
  if (res.status !== 200) throw new Error(`${url}/api/status: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as Partial<MemberStatus>;
  if (body.raft === undefined) throw new Error(`${url}/api/status has no raft section`);
  return body as MemberStatus;
}

/** The keys the first leader wrote to its data dir (one member's only), once written. */
function clusterCredentials(dataDirs: readonly string[]) {
  return pollUntil('a member has written the cluster credentials', CONVERGE_MS, async () => {
    for (const dir of dataDirs) {
      // Missing, or still being written: the next poll reads it again.
      const credentials = await readCredentials(dir).catch(() => undefined);
      if (credentials !== undefined) return credentials;
    }
    return undefined;
  });
}

class Cluster extends ProcessCluster<MemberStatus> implements DtfCluster {
  readonly system = 'DTF';
  readonly write;

  constructor(
    urls: readonly string[],
    private readonly ids: readonly string[],
    processes: ProcessGroup,
    readonly adminKey: string,
  ) {
    super(urls, processes);
    const body = JSON.stringify(NOOP_TASK);
    this.write = {
      method: 'POST' as const,
      path: '/api/tasks/submit',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      nextBody: () => body,
    };
  }

  protected async agreedLeader(): Promise<{ index: number; status: MemberStatus } | undefined> {
    const running = this.running();
    const statuses = await Promise.all(
      running.map((i) => memberStatus(this.urls[i]!, this.adminKey)),
    );
    const leader = statuses[0]?.raft.leader ?? null;
    if (leader === null || statuses.some((s) => s.raft.leader !== leader)) return undefined;
    const index = this.ids.indexOf(leader);
    const at = running.indexOf(index);
    if (at === -1 || statuses[at]!.role !== 'leader') return undefined;
    return { index, status: statuses[at]! };
  }

  protected async caughtUp(index: number, leader: MemberStatus): Promise<boolean> {
    const own = await memberStatus(this.urls[index]!, this.adminKey);
    return own.raft.appliedIndex >= leader.raft.commitIndex;
  }
}

/**
 * Runs `fn` against `size` (3 or 5) `dtf coordinator` processes forming one Raft group on
 * loopback, with auth, each on a free port and a data dir in a fresh temp dir, `args` added to
 * every member's command line; once the members agree on a leader and it has created the
 * cluster's keys. Every member is stopped and the data removed afterwards.
 */
export function withDtfCluster<T>(
  size: number,
  args: readonly string[],
  fn: (cluster: DtfCluster) => Promise<T>,
): Promise<T> {
  return withTempDir('dtf-bench-raft-', async (root) => {
    const ids = Array.from({ length: size }, (_, i) => `c${i + 1}`);
    const ports = await Promise.all(ids.map(() => freeLoopbackPort()));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const dataDirs = ids.map((id) => join(root, id));
    const peers = ids.map((id, i) => `${id}=${urls[i]}`).join(',');
    const env = { DTF_CLUSTER_TOKEN: randomBytes(24).toString('hex') };
    const processes = new ProcessGroup(
      ids.map(
        (id, i) => () =>
          spawnCoordinator(
            [
              '--port',
              String(ports[i]),
              '--data-dir',
              dataDirs[i]!,
              '--id',
              id,
              '--peers',
              peers,
              ...args,
            ],
            env,
          ),
      ),
    );
    return withProcessGroup(processes, 'stop', async () => {
      const { adminKey } = await clusterCredentials(dataDirs);
      const cluster = new Cluster(urls, ids, processes, adminKey);
      await cluster.leader();
      return fn(cluster);
    });
  });
}
