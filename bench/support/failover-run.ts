import { Agent } from 'node:http';
import { type SmallRequest, sendSmallRequest } from './keep-alive-requests.js';
import type { ReplicatedCluster } from './replicated-cluster.js';

/** Each surviving member gets a new write this often until one is acknowledged. */
const PROBE_EVERY_MS = 10;
/**
 * Each write is abandoned after this long. Short, but not shorter than an election: a member
 * may hold a write until a leader exists to commit it (etcd forwards it), and that answer is
 * the one timed.
 */
const PROBE_TIMEOUT_MS = 1_000;
/** A failover that takes longer than this fails the benchmark. */
const GIVE_UP_MS = 30_000;

/**
 * Milliseconds from `since` until one of `urls` acknowledges `write` with a 2xx: every 10 ms a
 * new write goes to each of them (several may be in flight per member), each abandoned after
 * 1 s; answers that are not 2xx (a redirect to the dead leader, "no leader yet") and refused
 * connections only wait for the next round.
 */
function firstAcknowledgedWrite(
  urls: readonly string[],
  write: SmallRequest,
  since: number,
): Promise<number> {
  const stop = new AbortController();
  const agent = new Agent({ keepAlive: true });
  return new Promise<number>((resolve, reject) => {
    const attempt = async (url: string) => {
      try {
        const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]);
        const status = await sendSmallRequest(agent, url, write, signal);
        if (status >= 200 && status <= 299) resolve(performance.now() - since);
      } catch {
        // Refused, reset, timed out or stopped: the next round tries again.
      }
    };
    const round = () => {
      for (const url of urls) void attempt(url);
    };
    const timer = setInterval(round, PROBE_EVERY_MS);
    const giveUp = setTimeout(
      () => reject(new Error(`no write was acknowledged within ${GIVE_UP_MS} ms of the kill`)),
      GIVE_UP_MS,
    );
    round();
    stop.signal.addEventListener('abort', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
    });
  }).finally(() => {
    stop.abort();
    agent.destroy();
  });
}

/**
 * Failover times of `cluster`, in ms, one per kill: `kills` times, `kill -9` of the leader and
 * the time from the kill to the first write a surviving member acknowledges (so one the new
 * leader committed); then the killed member starts again on its data dir and the next kill
 * waits until it has caught up.
 */
export async function measureFailovers(
  cluster: ReplicatedCluster,
  kills: number,
  progress: (line: string) => void,
): Promise<number[]> {
  const times: number[] = [];
  for (let kill = 1; kill <= kills; kill++) {
    const leader = await cluster.leader();
    const survivors = cluster.urls.filter((_, i) => i !== leader);
    const since = performance.now();
    // SIGKILL is sent before this returns; the probes start at once.
    const killed = cluster.kill(leader);
    const ms = await firstAcknowledgedWrite(survivors, cluster.write, since);
    await killed;
    times.push(ms);
    progress(
      `${cluster.system}: kill ${kill}/${kills} of member ${leader + 1}: ${ms.toFixed(0)} ms`,
    );
    await cluster.restart(leader);
  }
  return times;
}
