import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import {
  describeIssues,
  preview,
  quarantineKey,
  type SnapshotRun,
  type SnapshotTask,
  type SnapshotWorker,
  STATE_SNAPSHOT_VERSION,
  StateSnapshot,
  TERMINAL_STATES,
} from '../../protocol/index.js';
import {
  type CoordinatorState,
  countResult,
  createState,
  type DelayedEntry,
  indexTask,
  type RunRecord,
  type StateConfig,
  type TaskRecord,
  type WorkerRecord,
  zeroRunCounts,
} from '../state/index.js';

/**
 * Largest state snapshot read back, uncompressed: a little under the longest string V8 holds.
 * (An ended task takes about 0.5 KB, so this is about a million tasks.)
 */
export const MAX_STATE_SNAPSHOT_BYTES = 500 * 1024 * 1024;

/** Tasks (and run results) written out per turn of the event loop, so a big state does not stall it. */
const TASKS_PER_TURN = 500;

/** A state snapshot that cannot be used: nothing was restored from it. */
export class StateSnapshotError extends Error {
  override readonly name = 'StateSnapshotError';
}

/**
 * The state as it was at one moment, cheap to take: live tasks are copied, ended ones kept by
 * reference (an ended task never changes again), and written out later a few at a time.
 */
export interface StateCapture {
  /** The snapshot's JSON up to its task list. */
  head: string;
  tasks: Array<TaskRecord | SnapshotTask>;
  runs: SnapshotRun[];
}

/** The task's snapshot form, keys in one fixed order: equal states give equal text. */
function snapshotTask(task: TaskRecord | SnapshotTask): SnapshotTask {
  return {
    id: task.id,
    seq: task.seq,
    spec: task.spec,
    submittedRequirements: task.submittedRequirements,
    state: task.state,
    attempt: task.attempt,
    failures: task.failures,
    notBefore: task.notBefore,
    waitingOn: task.waitingOn,
    placeable: task.placeable,
    leaseToken: task.leaseToken,
    workerId: task.workerId,
    submittedAt: task.submittedAt,
    owner: task.owner,
    assignedAt: task.assignedAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    result: task.result,
    // Only a live task's history still grows; copying it keeps the capture as it was.
    history: task.history.slice(),
    queueEpoch: task.queueEpoch,
    blamed: task.blamed,
  };
}

function snapshotWorker(worker: WorkerRecord): SnapshotWorker {
  const { health } = worker;
  return {
    id: worker.id,
    name: worker.name,
    capabilities: worker.capabilities,
    labels: worker.labels,
    slots: worker.slots,
    status: worker.status,
    registeredAt: worker.registeredAt,
    lastSeen: worker.lastSeen,
    running: [...worker.running],
    health: {
      recent: health.recent.map(({ at, kind, taskId }) => ({ at, kind, taskId })),
      consecutiveFailures: health.consecutiveFailures,
      openedAt: health.openedAt,
      jitterMs: health.jitterMs,
      lastHeartbeatAt: health.lastHeartbeatAt,
    },
    draining: worker.draining,
    awaitingReconnect: worker.awaitingReconnect,
    connection: worker.connection,
    secretSha256: worker.secretSha256,
  };
}

/** A run as it is now: an open run's results are copied, an ended run's never change again. */
function snapshotRun(run: RunRecord): SnapshotRun {
  const snapshot: SnapshotRun = {
    id: run.id,
    suite: run.suite,
    meta: run.meta,
    status: run.status,
    startedAt: run.startedAt,
    results: run.status === 'running' ? run.results.slice() : run.results,
  };
  if (run.endedAt !== undefined) snapshot.endedAt = run.endedAt;
  return snapshot;
}

/** Takes the state as it is now; `encodeCapture` writes it out without stalling the loop. */
export function captureState(state: CoordinatorState): StateCapture {
  const head: Omit<StateSnapshot, 'tasks'> = {
    v: STATE_SNAPSHOT_VERSION,
    nextSeq: state.nextSeq,
    lastLeaseToken: state.lastLeaseToken,
    clock: state.clock,
    passFloor: state.passFloor,
    workersVersion: state.workersVersion,
    credentials: state.credentials,
    quarantine: [...state.quarantine.values()],
    webhooks: [...state.webhooks.values()],
    keys: [...state.keys.values()],
    auditHead: state.auditHead,
    // Copied: a pending delivery changes as it is tried, the capture must not.
    deliveries: Array.from(state.deliveries.values(), (d) => ({ ...d })),
    durations: [...state.durations],
    stageSpeeds: [...state.stageSpeeds],
    groupPass: [...state.groupPass],
    runningByPriority: [...state.runningByPriority],
    workers: [...state.workers.values()].map(snapshotWorker),
    ready: Array.from(state.ready.liveEntries(), (e) => [e.task.id, e.expectedMs]),
    delayed: state.delayed.entries().map((e) => [e.task.id, e.notBefore, e.epoch]),
    dependents: Array.from(state.dependents, ([parent, children]) => [
      parent,
      children.map((child) => child.id),
    ]),
  };
  const tasks: StateCapture['tasks'] = [];
  for (const task of state.tasks.values()) {
    tasks.push(TERMINAL_STATES.has(task.state) ? task : snapshotTask(task));
  }
  const text = JSON.stringify(head);
  const runs = [...state.runs.values()].map(snapshotRun);
  return { head: `${text.slice(0, -1)},"tasks":[`, tasks, runs };
}

/** The capture as snapshot data: its canonical JSON, gzip-compressed, in base64. */
export async function encodeCapture(capture: StateCapture): Promise<string> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  gzip.write(capture.head);
  const { tasks } = capture;
  for (let from = 0; from < tasks.length; from += TASKS_PER_TURN) {
    await nextTurn();
    const part = tasks
      .slice(from, from + TASKS_PER_TURN)
      .map((task) => JSON.stringify(snapshotTask(task)))
      .join(',');
    gzip.write(from === 0 ? part : `,${part}`);
  }
  gzip.write('],"runs":[');
  for (const [index, run] of capture.runs.entries()) {
    const { results, ...rest } = run;
    const head = JSON.stringify({ ...rest, results: [] });
    gzip.write(`${index === 0 ? '' : ','}${head.slice(0, -2)}`);
    for (let from = 0; from < results.length; from += TASKS_PER_TURN) {
      await nextTurn();
      const part = results
        .slice(from, from + TASKS_PER_TURN)
        .map((result) => JSON.stringify(result))
        .join(',');
      gzip.write(from === 0 ? part : `,${part}`);
    }
    gzip.write(']}');
  }
  gzip.end(']}');
  await ended;
  return Buffer.concat(out).toString('base64');
}

/** Snapshot data of the state as it is at this call. */
export function encodeStateSnapshot(state: CoordinatorState): Promise<string> {
  return encodeCapture(captureState(state));
}

function parseSnapshot(data: string, maxBytes: number): StateSnapshot {
  let text: string;
  try {
    text = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: maxBytes }).toString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new StateSnapshotError(
        `state snapshot refused: it is larger than ${maxBytes} bytes uncompressed`,
      );
    }
    throw new StateSnapshotError(
      `state snapshot refused: not gzip-compressed base64 (${(error as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateSnapshotError(`state snapshot refused: not JSON (${(error as Error).message})`);
  }
  const version = (json as { v?: unknown } | null)?.v;
  if (version !== STATE_SNAPSHOT_VERSION) {
    throw new StateSnapshotError(
      `state snapshot refused: version ${preview(version)} is not one this coordinator reads (${STATE_SNAPSHOT_VERSION})`,
    );
  }
  const parsed = StateSnapshot.safeParse(json);
  if (!parsed.success) {
    throw new StateSnapshotError(`state snapshot refused: ${describeIssues(parsed.error, json)}`);
  }
  return parsed.data;
}

/** Rebuilds the state a snapshot describes; a `StateSnapshotError` naming the problem if bad. */
export function decodeStateSnapshot(
  data: string,
  config: StateConfig,
  maxBytes = MAX_STATE_SNAPSHOT_BYTES,
): CoordinatorState {
  const state = createState(config);
  // A log never compacted has the empty snapshot: the state before the first entry.
  if (data === '') return state;
  const snapshot = parseSnapshot(data, maxBytes);
  const task = (id: string, where: string): TaskRecord => {
    const found = state.tasks.get(id);
    if (found === undefined) {
      throw new StateSnapshotError(`state snapshot refused: ${where} names unknown task ${id}`);
    }
    return found;
  };
  for (const record of snapshot.tasks) {
    if (state.tasks.has(record.id)) {
      throw new StateSnapshotError(`state snapshot refused: task ${record.id} appears twice`);
    }
    indexTask(state, { ...record, placeable: false });
  }
  for (const w of snapshot.workers) {
    state.workers.set(w.id, {
      ...w,
      running: new Set(w.running.map((id) => task(id, `worker ${w.id}`).id)),
    });
  }
  for (const [id, expectedMs] of snapshot.ready) {
    const queued = task(id, 'the ready queue');
    if (queued.state !== 'queued' || queued.placeable) {
      throw new StateSnapshotError(
        `state snapshot refused: task ${id} is in the ready queue twice or not queued`,
      );
    }
    state.ready.add(queued, expectedMs);
  }
  const placeable = snapshot.tasks.filter((t) => t.placeable).length;
  if (placeable !== snapshot.ready.length) {
    throw new StateSnapshotError(
      `state snapshot refused: ${placeable} tasks are placeable but the ready queue holds ${snapshot.ready.length}`,
    );
  }
  const delayed: DelayedEntry[] = snapshot.delayed.map(([id, notBefore, epoch]) => ({
    task: task(id, 'the backoff queue'),
    notBefore,
    epoch,
  }));
  try {
    state.delayed.restore(delayed);
  } catch (error) {
    throw new StateSnapshotError(`state snapshot refused: ${(error as Error).message}`);
  }
  state.dependents = new Map(
    snapshot.dependents.map(([parent, children]) => [
      parent,
      children.map((id) => task(id, `the dependents of ${parent}`)),
    ]),
  );
  state.nextSeq = snapshot.nextSeq;
  state.lastLeaseToken = snapshot.lastLeaseToken;
  state.clock = snapshot.clock;
  state.passFloor = snapshot.passFloor;
  state.workersVersion = snapshot.workersVersion;
  if (snapshot.credentials !== undefined) state.credentials = snapshot.credentials;
  state.durations = new Map(snapshot.durations);
  state.stageSpeeds = new Map(snapshot.stageSpeeds ?? []);
  state.groupPass = new Map(snapshot.groupPass);
  state.runningByPriority = new Map(snapshot.runningByPriority);
  for (const entry of snapshot.quarantine ?? []) state.quarantine.set(quarantineKey(entry), entry);
  for (const webhook of snapshot.webhooks ?? []) state.webhooks.set(webhook.id, webhook);
  for (const delivery of snapshot.deliveries ?? []) state.deliveries.set(delivery.id, delivery);
  for (const key of snapshot.keys ?? []) state.keys.set(key.id, key);
  if (snapshot.auditHead !== undefined) state.auditHead = snapshot.auditHead;
  for (const { results, ...run } of snapshot.runs ?? []) {
    const record: RunRecord = { ...run, counts: zeroRunCounts(), results };
    for (const result of results) countResult(record.counts, result);
    state.runs.set(run.id, record);
  }
  return state;
}

/**
 * Makes `target` (the object every part of the coordinator holds) the state `source` is, in
 * one synchronous step: nothing can observe a mix of the two.
 */
export function replaceState(target: CoordinatorState, source: CoordinatorState): void {
  const { config } = target;
  if (source.credentials === undefined) delete target.credentials;
  Object.assign(target, source, { config });
}
