import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnUntilLine } from './child-process.js';
import { freeLoopbackPort } from './free-port.js';
import { ProcessGroup, withProcessGroup } from './process-group.js';
import { ProcessCluster, type ReplicatedCluster } from './replicated-cluster.js';
import { withTempDir } from './temp-dir.js';

/** How to get etcd where it is missing: Debian's package (etcd 3.4). */
export const ETCD_INSTALL_HINT = 'apt-get install -y etcd-server';

/**
 * The Raft timing of DTF's coordinators (a 50 ms heartbeat, an election timeout of 10 ticks,
 * pre-vote on; etcd always checks quorum), so that failover compares the implementations
 * rather than their defaults (etcd's own: 100 ms and 1 s, no pre-vote).
 */
const RAFT_TIMING = ['--heartbeat-interval', '50', '--election-timeout', '500', '--pre-vote=true'];

/** `etcd --version`'s first line ("etcd Version: 3.4.23"), or undefined without etcd on the PATH. */
export async function etcdVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('etcd', ['--version']);
    return stdout.split('\n')[0]!.replace(/^etcd Version: /, 'etcd ');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Keys and values as etcd's JSON gateway takes them: base64. */
export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

interface EtcdStatus {
  header: { member_id: string };
  leader: string;
  raftIndex: string;
}

/** `POST /v3/maintenance/status` of one member: its id, its leader's, its last log index. */
async function memberStatus(url: string): Promise<EtcdStatus> {
  const res = await fetch(`${url}/v3/maintenance/status`, {
    method: 'POST',
    body: '{}',
    signal: AbortSignal.timeout(2_000),
  });
  if (res.status !== 200)
    throw new Error(`${url}/v3/maintenance/status: ${res.status} ${await res.text()}`);
  return (await res.json()) as EtcdStatus;
}

let keys = 0;

class Cluster extends ProcessCluster<EtcdStatus> {
  readonly write = {
    method: 'POST' as const,
    path: '/v3/kv/put',
    headers: { 'content-type': 'application/json' },
    // A fresh small key for every put, as every DTF submit makes a fresh task.
    nextBody: () =>
      JSON.stringify({ key: base64(`bench/${++keys}`), value: base64('x'.repeat(16)) }),
  };

  constructor(
    readonly system: string,
    urls: readonly string[],
    processes: ProcessGroup,
  ) {
    super(urls, processes);
  }

  protected async agreedLeader(): Promise<{ index: number; status: EtcdStatus } | undefined> {
    const running = this.running();
    const statuses = await Promise.all(running.map((i) => memberStatus(this.urls[i]!)));
    const leader = statuses[0]?.leader ?? '0';
    if (leader === '0' || statuses.some((s) => s.leader !== leader)) return undefined;
    const at = statuses.findIndex((s) => s.header.member_id === leader);
    return at === -1 ? undefined : { index: running[at]!, status: statuses[at]! };
  }

  protected async caughtUp(index: number, leader: EtcdStatus): Promise<boolean> {
    const own = await memberStatus(this.urls[index]!);
    return BigInt(own.raftIndex) >= BigInt(leader.raftIndex);
  }
}

/**
 * Runs `fn` against `size` etcd members on loopback (free client and peer ports, data dirs in a
 * fresh temp dir, DTF's Raft timing), once they agree on a leader; kills them and removes the
 * data afterwards. `version` is what `etcdVersion` said.
 */
export function withEtcdCluster<T>(
  version: string,
  size: number,
  fn: (cluster: ReplicatedCluster) => Promise<T>,
): Promise<T> {
  return withTempDir('dtf-bench-etcd-', async (root) => {
    const names = Array.from({ length: size }, (_, i) => `e${i + 1}`);
    const clientPorts = await Promise.all(names.map(() => freeLoopbackPort()));
    const peerPorts = await Promise.all(names.map(() => freeLoopbackPort()));
    const urls = clientPorts.map((port) => `http://127.0.0.1:${port}`);
    const peerUrls = peerPorts.map((port) => `http://127.0.0.1:${port}`);
    const initialCluster = names.map((name, i) => `${name}=${peerUrls[i]}`).join(',');
    const processes = new ProcessGroup(
      names.map(
        (name, i) => () =>
          spawnUntilLine(
            'etcd',
            [
              '--name',
              name,
              '--data-dir',
              join(root, name),
              '--listen-client-urls',
              urls[i]!,
              '--advertise-client-urls',
              urls[i]!,
              '--listen-peer-urls',
              peerUrls[i]!,
              '--initial-advertise-peer-urls',
              peerUrls[i]!,
              '--initial-cluster',
              initialCluster,
              '--initial-cluster-state',
              'new',
              '--initial-cluster-token',
              'dtf-bench',
              ...RAFT_TIMING,
              // Its log on stdout, where spawnUntilLine looks for the line that says it serves.
              '--logger',
              'zap',
              '--log-outputs',
              'stdout',
            ],
            /"msg":"serving client traffic/,
          ),
      ),
    );
    // Killed at the end: its data is thrown away, and a member's graceful stop takes seconds.
    return withProcessGroup(processes, 'kill', async () => {
      const cluster = new Cluster(version, urls, processes);
      await cluster.leader();
      return fn(cluster);
    });
  });
}

/**
 * etcd's version for a baseline, or undefined after saying through `progress` that the etcd
 * baseline is skipped and how to install it.
 */
export async function etcdForBaseline(
  progress: (line: string) => void,
): Promise<string | undefined> {
  const version = await etcdVersion();
  if (version === undefined) {
    progress(
      `etcd is not installed, so the etcd baseline is skipped; install it with: ${ETCD_INSTALL_HINT}`,
    );
  }
  return version;
}
