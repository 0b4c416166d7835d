import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { killProcessTree } from '../../child-processes/process-tree.js';
import { DtfClient, type Subscription } from '../../client/index.js';
import { NEVER_DELIVERED } from '../../coordinator/state/index.js';
import type { TaskSpecInput, TaskView } from '../../protocol/index.js';
import { seededRandom } from '../../tensors/index.js';
import { EndedTasks } from './ended-tasks.js';
import {
  type CoordinatorProcess,
  kill9,
  killAll,
  reservePort,
  type Spawned,
  startCoordinatorProcess,
  startWorkerProcess,
} from './processes.js';
import { removeTempDirs, tempDir } from './temp-dir.js';

const clusters = new Set<ChaosCluster>();

/**
 * After the file's tests: kill every cluster's workers together with the tasks they started
 * (which run in process groups of their own), then every other process, then the temp dirs.
 */
export function cleanUpChaosAfterAll(): void {
  afterAll(async () => {
    for (const cluster of clusters) cluster.killWorkerTrees();
    clusters.clear();
    await killAll();
    removeTempDirs();
  });
}

/**
 * The seed of a chaos test: `DTF_CHAOS_SEED` when set, a fresh one otherwise. It is printed,
 * so a failing run can be repeated with the same choices.
 */
export function chaosSeed(test: string): number {
  const fromEnv = process.env.DTF_CHAOS_SEED;
  const seed = fromEnv === undefined || fromEnv === '' ? randomInt(2 ** 31) : Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new Error(`DTF_CHAOS_SEED is not an integer: ${fromEnv}`);
  console.log(`${test}: seed ${seed} (repeat with DTF_CHAOS_SEED=${seed})`);
  return seed;
}

/**
 * Cheap `command` tasks that leave a trace of every run, whatever the coordinator records:
 * run `i` appends `i <pid>` to `markerFile` before its bit of work and prints the same line,
 * so the stored result names the one run it came from.
 */
export function markedTasks(
  count: number,
  opts: {
    markerFile: string;
    group: string;
    retry: { maxRetries: number; delayMs: number };
    /** How long each run sleeps: its "work". */
    seconds: number;
  },
): TaskSpecInput[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'command' as const,
    name: `t${i}`,
    payload: {
      command: 'line="$1 $$"; echo "$line" >> "$2"; sleep "$3"; echo "$line"',
      args: [String(i), opts.markerFile, String(opts.seconds)],
      shell: true,
    },
    group: opts.group,
    retry: opts.retry,
  }));
}

/** The runs each marked task made: task index -> the pid of every run, in order. */
export function readRuns(markerFile: string): Map<number, string[]> {
  const runs = new Map<number, string[]>();
  if (!existsSync(markerFile)) return runs;
  for (const line of readFileSync(markerFile, 'utf8').split('\n')) {
    if (line === '') continue;
    const [index, pid] = line.split(' ');
    const list = runs.get(Number(index)) ?? [];
    list.push(pid!);
    runs.set(Number(index), list);
  }
  return runs;
}

export type WorkerProcess = Spawned & { workerId: string };

/** Why an attempt may end without a result when only processes die: never the task's fault. */
const INFRASTRUCTURE_REASON =
  /^worker \S+ lost: |^the worker reconnected without this attempt$|^lease expired: /;

/**
 * A coordinator process (on a fixed port, so it can come back at the same address) and Node
 * worker processes, with the ways a chaos test hurts them.
 */
export class ChaosCluster {
  readonly workers: WorkerProcess[] = [];
  /** Every worker killed so far. */
  readonly killed: WorkerProcess[] = [];

  private constructor(
    public coordinator: CoordinatorProcess,
    private readonly dataDir: string,
    private readonly port: number,
    private readonly coordinatorArgs: string[],
    private readonly slots: number,
  ) {}

  static async start(opts: {
    workers: number;
    slots: number;
    heartbeatMs: number;
    heartbeatMisses: number;
  }): Promise<ChaosCluster> {
    const dataDir = tempDir('dtf-chaos-');
    const port = await reservePort();
    const args = [
      '--heartbeat-ms',
      String(opts.heartbeatMs),
      '--heartbeat-misses',
      String(opts.heartbeatMisses),
    ];
    const coordinator = await startCoordinatorProcess(dataDir, { port, extraArgs: args });
    const cluster = new ChaosCluster(coordinator, dataDir, port, args, opts.slots);
    clusters.add(cluster);
    const started = await Promise.all(
      Array.from({ length: opts.workers }, () => cluster.startWorker()),
    );
    cluster.workers.push(...started);
    return cluster;
  }

  private startWorker(): Promise<WorkerProcess> {
    return startWorkerProcess(this.coordinator, { slots: this.slots });
  }

  /**
   * `kill -9` of worker `index` and of every process it started (its tasks run in process
   * groups of their own), as if its machine died. The worker goes first, so it cannot report
   * its tasks' deaths as their failures.
   */
  async killWorker(index: number): Promise<WorkerProcess> {
    const victim = this.workers[index]!;
    killProcessTree(victim.child.pid!);
    await victim.exited;
    this.killed.push(victim);
    return victim;
  }

  /** Teardown: `kill -9` of every live worker and of the tasks it runs. */
  killWorkerTrees(): void {
    for (const worker of this.workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        killProcessTree(worker.child.pid!);
      }
    }
  }

  /** Starts a new worker in place of worker `index`; resolves once it has registered. */
  async replaceWorker(index: number): Promise<WorkerProcess> {
    const worker = await this.startWorker();
    this.workers[index] = worker;
    return worker;
  }

  /** Resolves when the current coordinator process declares the worker dead. */
  workerExpired(workerId: string, timeoutMs = 30_000): Promise<unknown> {
    return this.coordinator.waitFor(
      new RegExp(`"workerId":"${workerId}"[^\\n]*"msg":"worker expired"`),
      timeoutMs,
    );
  }

  /** `kill -9` of the coordinator. */
  async killCoordinator(): Promise<void> {
    await kill9(this.coordinator);
  }

  /** A new coordinator process on the same data dir and port. */
  async restartCoordinator(): Promise<CoordinatorProcess> {
    this.coordinator = await startCoordinatorProcess(this.dataDir, {
      port: this.port,
      extraArgs: this.coordinatorArgs,
    });
    return this.coordinator;
  }
}

/** A chaos run under way: its cluster, a client watching group `chaos`, and its tasks. */
export interface ChaosRun {
  /** The run's seeded choices (see `chaosSeed`). */
  random: () => number;
  cluster: ChaosCluster;
  client: DtfClient;
  /** The client's subscription to group `chaos`, recording into `ended`. */
  subscription: Subscription;
  ended: EndedTasks;
  /** The ids of the submitted marked tasks, in order. */
  ids: string[];
  /**
   * Waits until `client` (the run's own unless given) sees every task ended and `ended` has
   * them all, then makes the checks of `expectEveryTaskSucceededOnce`.
   */
  expectEveryTaskSucceededOnce(client?: DtfClient): Promise<{ tasks: TaskView[]; runs: number }>;
  /** `describeLostAttempts` of this run's cluster. */
  describeLostAttempts(tasks: readonly TaskView[], runs: number): string;
}

/**
 * How every chaos run starts: a `ChaosCluster` of `workers` workers (3 slots each, 200 ms
 * heartbeats, 3 misses), a client subscribed to group `chaos`, and `tasks` marked tasks of
 * `seconds` each submitted to that group, each allowed 15 retries.
 */
export async function startChaosRun(opts: {
  /** The test's name, printed with its seed. */
  test: string;
  workers: number;
  tasks: number;
  seconds: number;
}): Promise<ChaosRun> {
  const random = seededRandom(chaosSeed(opts.test));
  const cluster = await ChaosCluster.start({
    workers: opts.workers,
    slots: 3,
    heartbeatMs: 200,
    heartbeatMisses: 3,
  });
  const { coordinator } = cluster;
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  const ended = new EndedTasks();
  const subscription = await client.subscribe({ group: 'chaos' }, ended.record);
  const markerFile = join(tempDir('dtf-chaos-runs-'), 'runs.txt');
  const ids = await client.submit(
    markedTasks(opts.tasks, {
      markerFile,
      group: 'chaos',
      retry: { maxRetries: 15, delayMs: 20 },
      seconds: opts.seconds,
    }),
  );
  expect(ids).toHaveLength(opts.tasks);
  return {
    random,
    cluster,
    client,
    subscription,
    ended,
    ids,
    async expectEveryTaskSucceededOnce(finalClient = client) {
      await finalClient.waitFor({ taskIds: ids });
      await ended.waitForCount(opts.tasks);
      const tasks = await finalClient.query({ group: 'chaos', limit: 10_000 });
      const { runs } = expectEveryTaskSucceededOnce({ ids, tasks, ended, markerFile });
      return { tasks, runs };
    },
    describeLostAttempts: (tasks, runs) => describeLostAttempts(tasks, cluster, runs),
  };
}

/** How many attempts were lost, how many of them on killed workers, and why, for the log. */
export function describeLostAttempts(
  tasks: readonly TaskView[],
  cluster: ChaosCluster,
  runs: number,
): string {
  const killed = new Set(cluster.killed.map((w) => w.workerId));
  const lost = tasks.flatMap((t) => t.history);
  const onKilled = lost.filter((h) => h.workerId !== null && killed.has(h.workerId)).length;
  const reasons = new Set(
    lost.map((h) => h.reason.replace(/worker \S+/, 'worker W').replace(/\d+ ms/, 'N ms')),
  );
  return (
    `${lost.length} attempts lost (${onKilled} on killed workers), ` +
    `${tasks.filter((t) => t.attempt > 1).length} tasks had more than one attempt, ` +
    `${runs} runs started for ${tasks.length} tasks; ` +
    `reasons: ${[...reasons].join(' | ') || 'none'}`
  );
}

/**
 * The checks every chaos run ends with: all `count` marked tasks succeeded, each announced as
 * ended once, the stored result is the announced one and came from exactly one real run, and
 * the attempts add up, every lost one lost for an infrastructure reason.
 */
export function expectEveryTaskSucceededOnce(opts: {
  ids: readonly string[];
  tasks: readonly TaskView[];
  ended: EndedTasks;
  markerFile: string;
}): { runs: number } {
  const { ids, tasks, ended } = opts;
  expect(new Set(ids).size).toBe(ids.length);
  expect(tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
  const notSucceeded = tasks.filter((t) => t.state !== 'succeeded');
  expect(
    notSucceeded.map((t) => ({ id: t.id, state: t.state, result: t.result, history: t.history })),
  ).toEqual([]);

  const twice = [...ended.announced].filter(([, events]) => events.length > 1);
  expect(twice, 'tasks announced as ended more than once').toEqual([]);
  expect(ended.count).toBe(ids.length);

  const runs = readRuns(opts.markerFile);
  for (const task of tasks) {
    const index = Number(task.name!.slice(1));
    const announced = ended.announced.get(task.id)?.[0] ?? ended.fromSnapshot.get(task.id);
    expect(announced?.state, task.id).toBe('succeeded');
    expect(task.result, task.id).toEqual(announced!.result);

    const output = task.result!.output;
    expect(output?.kind, task.id).toBe('command');
    const stdout = output?.kind === 'command' ? output.stdout : '';
    const [printedIndex, pid] = stdout.trim().split(' ');
    expect(Number(printedIndex), task.id).toBe(index);
    const pids = runs.get(index) ?? [];
    // The recorded result is one real run's, and each attempt ran at most once.
    expect(
      pids.filter((p) => p === pid),
      `${task.id}: runs ${pids}`,
    ).toHaveLength(1);
    expect(pids.length, `${task.id}: runs ${pids}`).toBeLessThanOrEqual(task.attempt);

    expect(task.attempt, task.id).toBe(task.history.length + 1);
    task.history.forEach((entry, i) => {
      expect(entry.attempt, task.id).toBe(i + 1);
      if (entry.reason !== NEVER_DELIVERED)
        expect(entry.reason, task.id).toMatch(INFRASTRUCTURE_REASON);
    });
  }
  // No run outside the submitted tasks.
  expect([...runs.keys()].every((i) => i >= 0 && i < ids.length)).toBe(true);
  return { runs: [...runs.values()].reduce((sum, pids) => sum + pids.length, 0) };
}
