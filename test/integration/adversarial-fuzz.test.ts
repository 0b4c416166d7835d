import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type FuzzCounts, fuzz } from '../support/fuzz-lanes.js';
import {
  type Spawned,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import {
  agreedLeader,
  CLUSTER_TOKEN,
  clusterCredentials,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

/** On the shared 2-core machine, with other suites running, the fuzz can take minutes. */
const FUZZ_TIMEOUT_MS = 300_000;

/** A new seed every run unless given; every assertion names it, so a failure can be rerun. */
const SEED = Number(process.env.DTF_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RERUN = `seed ${SEED} (rerun with DTF_FUZZ_SEED=${SEED})`;

cleanUpAfterAll();

/**
 * Heartbeats every 200 ms (the test default), 5 of them missable: 1 s of silence. The fuzzer
 * saturates both cores, so the worker process itself may be starved of CPU for a while (the
 * coordinator discounts only its own stalls); yet a stall of 1.2 s or more, as single messages
 * caused before stalls were discounted, still expires the worker.
 */
const HEARTBEAT_MISSES = ['--heartbeat-misses', '5'];

/** Log lines that must never appear: errors, fatal exits, unhandled rejections, stack overflows. */
function problems(process: Spawned): string[] {
  return process
    .output()
    .split('\n')
    .filter((line) =>
      /"level":(50|60)|[Uu]nhandled|[Uu]ncaught|RangeError|call stack|FATAL/.test(line),
    )
    .map((line) => line.slice(0, 500));
}

/** The coordinators' log lines that expire `workerId`. */
function expiries(members: Spawned[], workerId: string): string[] {
  return members
    .flatMap((m) => m.output().split('\n'))
    .filter((line) => line.includes('"msg":"worker expired"') && line.includes(workerId));
}

/** Every member ran through the fuzz: its log clean, its process up, its health answered. */
async function expectSurvived(members: Array<Spawned & { url: string }>): Promise<void> {
  for (const member of members) {
    expect(problems(member), RERUN).toEqual([]);
    expect(member.child.exitCode, RERUN).toBeNull();
    expect((await fetch(`${member.url}/api/health`)).status, RERUN).toBe(200);
  }
}

function report(what: string, counts: FuzzCounts): void {
  const rate = Math.round((counts.total / counts.ms) * 1000);
  console.log(
    `${what}, ${RERUN}: ${counts.total} messages (ws ${counts.ws}, REST ${counts.rest}, ` +
      `handshakes ${counts.handshakes}, Raft peer ${counts.raft}; ${Math.round(counts.wsBytes / 1e6)} MB on /ws) ` +
      `in ${(counts.ms / 1000).toFixed(1)} s, ${rate}/s`,
  );
}

/** `dtf submit --wait` of a real command: exits 0 once it succeeded on a worker. */
async function validRun(coordinatorUrls: string[], adminKey: string): Promise<string> {
  const cli = spawnDtf([
    'submit',
    '--command',
    'echo the platform survived',
    '--wait',
    '--coordinator',
    coordinatorUrls.join(','),
    '--token',
    adminKey,
  ]);
  expect(await cli.exited, `${RERUN}\n${cli.output()}`).toBe(0);
  return cli.output();
}

describe('hostile input from every kind of sender', () => {
  it(
    'a coordinator takes 100,000 hostile messages: it stays up, expires no healthy worker, and runs a task after',
    async () => {
      const coordinator = await startCoordinatorProcess(tempDir(), {
        extraArgs: HEARTBEAT_MISSES,
      });
      // The only worker that can run a command, heartbeating throughout.
      const sentinel = await startWorkerProcess(coordinator, { slots: 1, name: 'sentinel' });
      const counts = await fuzz(
        {
          wsUrl: coordinator.wsUrl,
          restUrls: [coordinator.url],
          adminKey: coordinator.adminKey,
          workerToken: coordinator.workerToken,
        },
        SEED,
        100_000,
      );
      report('one coordinator', counts);

      await expectSurvived([coordinator]);
      expect(counts.failures, RERUN).toEqual([]);
      expect(counts.total).toBeGreaterThanOrEqual(100_000);
      expect(expiries([coordinator], sentinel.workerId), RERUN).toEqual([]);
      // Nothing the fuzzer sent was taken as a task.
      const { tasks } = await getJson<{ tasks: unknown[] }>(
        coordinator.url,
        '/api/tasks',
        coordinator.adminKey,
      );
      expect(tasks, RERUN).toEqual([]);
      expect(await validRun([coordinator.url], coordinator.adminKey)).toMatch(/1\/1 done/);
      await expectSurvived([coordinator]);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "a 3-member cluster takes 20,000 hostile messages, its members' peer paths included",
    async () => {
      const members = await startRaftCluster(3, HEARTBEAT_MISSES);
      const { adminKey, workerToken } = await clusterCredentials(members);
      const leader = await agreedLeader(members, adminKey);
      const followers = members.filter((m) => m !== leader);
      const [sentinel] = await startClusterWorkers(members, workerToken, 1, 1);
      const workerId = /DTF worker (\S+) registered/.exec(sentinel!.output())![1]!;
      // A follower refuses a socket after its upgrade; a frame that is not UTF-8 arriving
      // meanwhile once ended the process.
      for (const follower of followers) await sendNotUtf8(follower.wsUrl, workerToken);
      const counts = await fuzz(
        {
          wsUrl: leader.wsUrl,
          followerWsUrls: followers.map((m) => m.wsUrl),
          restUrls: members.map((m) => m.url),
          adminKey,
          workerToken,
          peers: members.map((m) => ({ id: m.id, url: m.url })),
          clusterToken: CLUSTER_TOKEN,
        },
        SEED,
        20_000,
      );
      report('3-member cluster', counts);

      await expectSurvived(members);
      expect(counts.failures, RERUN).toEqual([]);
      expect(counts.total).toBeGreaterThanOrEqual(20_000);
      expect(expiries(members, workerId), RERUN).toEqual([]);
      expect(
        await validRun(
          members.map((m) => m.url),
          adminKey,
        ),
      ).toMatch(/1\/1 done/);
      await expectSurvived(members);
    },
    FUZZ_TIMEOUT_MS,
  );
});

/** Opens `/ws` and sends a text frame that is not UTF-8 at once; resolves when it is closed. */
async function sendNotUtf8(wsUrl: string, token: string): Promise<void> {
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => {
    socket.once('open', () => socket.send(Buffer.from([0xc3, 0x28]), { binary: false }));
    socket.once('close', () => resolve());
  });
}
