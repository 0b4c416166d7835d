import type { TaskView } from '../../protocol/index.js';
import type { PreparedModel } from '../../sharding/run/prepare-model.js';
import { liveBrowserWorkers } from './browser-workers.js';
import { pollUntil } from './poll.js';
import type { FinishedRun, RigRuns, ShardingRig } from './sharding-rig.js';

const RELAUNCH_TIMEOUT_MS = 120_000;

/** A run during which a browser was killed. */
export interface KilledRun extends FinishedRun {
  /** When the kill was sent (epoch ms, the clock the coordinator's times are on). */
  killedAt: number;
  /** The worker of the killed browser, and the task it had started. */
  killedWorker: string;
  killedTask: TaskView;
}

/** The pool's Firefox: its live worker, and its browser's main process. */
async function firefoxOf(rig: ShardingRig): Promise<{ workerId: string; pid: number }> {
  const member = rig.pool.members().find((m) => m.browser === 'firefox' && m.status === 'ready');
  const workers = await liveBrowserWorkers(rig.coordinator);
  const worker = workers.find(
    (w) => w.capabilities.kind === 'browser' && w.capabilities.browser.name === 'firefox',
  );
  if (member?.pid === undefined || worker === undefined) {
    throw new Error('the pool has no live Firefox worker to kill');
  }
  return { workerId: worker.id, pid: member.pid };
}

/** Resolves once the pool has replaced the killed browser and all its members are workers again. */
function untilRelaunched(rig: ShardingRig, killedWorker: string): Promise<void> {
  return pollUntil('the killed browser is back as a worker', RELAUNCH_TIMEOUT_MS, async () => {
    const ready = rig.pool.members().every((member) => member.status === 'ready');
    const live = await liveBrowserWorkers(rig.coordinator);
    const back = live.length === rig.browsers && !live.some((w) => w.id === killedWorker);
    return ready && back ? true : undefined;
  }).then(() => {});
}

/**
 * Runs `prepared` and `kill -9`s the pool's Firefox as it starts its `killAt`th task of the run
 * (counting from 1); resolves once the run has ended and the pool has Firefox back.
 */
export async function killFirefoxMidRun(
  runs: RigRuns,
  prepared: PreparedModel,
  microBatches: number,
  killAt: number,
): Promise<KilledRun> {
  const { rig } = runs;
  const target = await firefoxOf(rig);
  const group = runs.nextGroup('recovery');
  const kills: Array<{ at: number; taskId: string }> = [];
  let started = 0;
  const subscription = await rig.client.subscribe({ group }, (events) => {
    for (const event of events) {
      if (event.state !== 'running' || event.workerId !== target.workerId) continue;
      if (++started === killAt) {
        process.kill(target.pid, 'SIGKILL');
        kills.push({ at: Date.now(), taskId: event.taskId });
      }
    }
  });
  let run: FinishedRun;
  try {
    run = await runs.run(prepared, microBatches, 'recovery', { group });
  } finally {
    await subscription.close();
  }
  const [kill] = kills;
  const killedTask = run.tasks.find((task) => task.id === kill?.taskId);
  if (kill === undefined || killedTask === undefined) {
    throw new Error(`the run ended before Firefox started its task ${killAt}`);
  }
  await untilRelaunched(rig, target.workerId);
  return { ...run, killedAt: kill.at, killedWorker: target.workerId, killedTask };
}
