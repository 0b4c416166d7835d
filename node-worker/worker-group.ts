import os from 'node:os';
import {
  type AutoscaleLimits,
  DEFAULT_RESERVE_MB,
  DEFAULT_SCALE_DOWN_AFTER_MS,
  DEFAULT_WORKER_MB,
  runAutoscaleLoop,
} from '../worker-core/index.js';
import { startWorker, type WorkerHandle, type WorkerOptions } from './worker.js';

export interface WorkerGroupOptions extends WorkerOptions {
  /** Never fewer workers than this (0: none while the queue is empty). */
  min: number;
  max: number;
  scaleDownAfterMs?: number;
  /** The memory one more worker is taken to need, in MB. */
  workerMb?: number;
  /** Queued tasks one more worker of these slots, labels and runners could take. */
  queued(): Promise<number>;
  /** Told of each change of size before it is made. */
  onScaled?: (change: { from: number; to: number; reason: string }) => void;
  intervalMs?: number;
}

/** Node workers in one process, as many as the queue asks for between `min` and `max`. */
export interface WorkerGroupHandle {
  /** The workers' ids now, those starting and stopping left out. */
  workerIds(): string[];
  stop(): Promise<void>;
  drain(graceMs?: number): Promise<void>;
  stopNow(): Promise<void>;
  stopped: Promise<void>;
  /** Resolves once `min` workers have registered (at once with `min` 0). */
  registered: Promise<void>;
  /** Rejects when the coordinator refuses the token: every worker has stopped. */
  refused: Promise<never>;
}

interface Member {
  id: string;
  handle?: WorkerHandle;
  retiring: boolean;
}

/**
 * Starts `min` Node workers (each of `slots`, named `<name>-1`, `<name>-2`, …) and then grows
 * the group at once when the queue holds tasks a new one could take, and retires idle workers
 * after the queue stayed empty for `scaleDownAfterMs`, as `dtf pool` does with browsers. A
 * retired worker drains, so nothing it was given is lost. Each worker registers on its own.
 */
export async function startWorkerGroup(options: WorkerGroupOptions): Promise<WorkerGroupHandle> {
  if (options.min > options.max)
    throw new Error(`min ${options.min} is more than max ${options.max}`);
  const limits: AutoscaleLimits = {
    min: options.min,
    max: options.max,
    scaleDownAfterMs: options.scaleDownAfterMs ?? DEFAULT_SCALE_DOWN_AFTER_MS,
    memberMb: options.workerMb ?? DEFAULT_WORKER_MB,
    reserveMb: DEFAULT_RESERVE_MB,
    tasksPerMember: options.slots,
  };
  const baseName = options.name ?? `${os.hostname()}-${process.pid}`;
  const members: Member[] = [];
  const stopScaling = new AbortController();
  let scaling: Promise<void> = Promise.resolve();
  let started = 0;
  let rejectRefused!: (error: unknown) => void;
  const refused = new Promise<never>((_, reject) => {
    rejectRefused = reject;
  });
  refused.catch(() => undefined);
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });

  /** Stops the scaling, then every worker `how`; the last call's `how` is what runs. */
  const stopAll = async (how: (handle: WorkerHandle) => Promise<void>) => {
    stopScaling.abort();
    await scaling;
    await Promise.all(members.flatMap((m) => (m.handle === undefined ? [] : [how(m.handle)])));
    markStopped();
  };

  const add = async (): Promise<WorkerHandle | undefined> => {
    started += 1;
    const member: Member = { id: `starting ${started}`, retiring: false };
    members.push(member);
    let handle: WorkerHandle;
    try {
      handle = await startWorker({ ...options, name: `${baseName}-${started}` });
    } catch (error) {
      // It never joined: the next look at the queue may start another.
      members.splice(members.indexOf(member), 1);
      throw error;
    }
    if (stopScaling.signal.aborted) {
      members.splice(members.indexOf(member), 1);
      await handle.stop();
      return undefined;
    }
    member.handle = handle;
    member.id = handle.workerId;
    handle.refused.catch((error: unknown) => {
      rejectRefused(error);
      void stopAll((h) => h.stop());
    });
    // However it stops (retired, `dtf drain`, refused), it leaves the group.
    void handle.stopped.then(() => {
      const index = members.indexOf(member);
      if (index >= 0) members.splice(index, 1);
    });
    return handle;
  };

  const first = await Promise.all(Array.from({ length: options.min }, add));
  const registered = Promise.all(first.map((handle) => handle?.registered)).then(() => undefined);
  scaling = runAutoscaleLoop(
    {
      limits,
      queued: options.queued,
      freeMb: () => os.freemem() / 1_048_576,
      intervalMs: options.intervalMs,
      signal: stopScaling.signal,
      onScaled: (change) => options.onScaled?.(change),
      onError: (error) =>
        options.logger.warn(
          { err: (error as Error).message },
          'autoscaling: the queue could not be read',
        ),
    },
    {
      live: () =>
        members
          .filter((m) => !m.retiring)
          .map((m) => ({ id: m.id, idle: m.handle !== undefined && !m.handle.busy })),
      add: (count) => {
        for (let i = 0; i < count; i++) {
          add().catch((error: unknown) =>
            options.logger.error({ err: error }, 'a worker failed to start'),
          );
        }
      },
      retire: (ids) => {
        for (const member of members) {
          if (!ids.includes(member.id) || member.handle === undefined) continue;
          member.retiring = true;
          void member.handle.drain();
        }
      },
    },
  );

  return {
    workerIds: () => members.filter((m) => m.handle !== undefined).map((m) => m.id),
    stop: () => stopAll((h) => h.stop()),
    drain: (graceMs) => stopAll((h) => h.drain(graceMs)),
    stopNow: () => stopAll((h) => h.stopNow()),
    stopped,
    registered,
    refused,
  };
}
