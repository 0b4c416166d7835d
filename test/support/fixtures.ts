import { type PlacementHooks, schedule } from '../../coordinator/scheduler/index.js';
import {
  apply,
  type Command,
  type CoordinatorState,
  createState,
  type Placement,
  type StateConfig,
  type StateEvent,
} from '../../coordinator/state/index.js';
import type { CommandSink } from '../../coordinator/store/index.js';
import {
  type Capabilities,
  type Labels,
  type LeaseRef,
  type TaskResult,
  TaskSpec,
  type TaskSpecInput,
  type TaskView,
  zeroStateCounts,
} from '../../protocol/index.js';

export const nodeCapabilities = (
  overrides: Partial<Extract<Capabilities, { kind: 'node' }>> = {},
): Capabilities => ({
  kind: 'node',
  os: 'linux',
  arch: 'x64',
  cpus: 2,
  memoryMb: 4096,
  nodeVersion: 'v20.0.0',
  gpus: [],
  executionProviders: ['cpu'],
  taskKinds: ['command', 'vitest'],
  features: [],
  ...overrides,
});

/** A headless browser's worker page, by default Chromium running the page task kinds. */
export const browserCapabilities = (
  name = 'chromium',
  overrides: Partial<Extract<Capabilities, { kind: 'browser' }>> = {},
): Capabilities => ({
  kind: 'browser',
  os: 'linux',
  arch: 'x64',
  cpus: 2,
  memoryMb: 0,
  browser: { name, version: '1', engine: name === 'firefox' ? 'gecko' : 'blink', userAgent: name },
  webgpu: { available: false, reason: 'no adapter', features: [], limits: {} },
  webnn: {
    available: false,
    deviceTypes: {
      cpu: { available: false },
      gpu: { available: false },
      npu: { available: false },
    },
  },
  wasm: { simd: true, threads: false, crossOriginIsolated: false },
  taskKinds: ['model', 'webgpu', 'page-test'],
  features: ['wasm-simd'],
  ...overrides,
});

export function commandSpec(overrides: Partial<TaskSpecInput> = {}): TaskSpec {
  return TaskSpec.parse({ kind: 'command', payload: { command: 'true' }, ...overrides });
}

/** The view of a command task that succeeded on worker `w1` in 1.5 s, as queries answer it. */
export function taskView(overrides: Partial<TaskView> = {}): TaskView {
  return {
    id: 't1',
    seq: 1,
    kind: 'command',
    priority: 2,
    state: 'succeeded',
    attempt: 1,
    failures: 0,
    leaseToken: 1,
    workerId: 'w1',
    submittedAt: 0,
    result: { status: 'succeeded', durationMs: 1_500 },
    history: [],
    spec: commandSpec({ priority: 2 }),
    ...overrides,
  };
}

/** The connection `registerCommand` registers a worker on unless told another. */
export function connectionOf(workerId: string): string {
  return `connection of ${workerId}`;
}

/**
 * A `RegisterWorker` command named after its worker, on `connectionOf` it, with node
 * capabilities and no labels unless given.
 */
export function registerCommand(
  workerId: string,
  opts: {
    now?: number;
    slots?: number;
    labels?: Labels;
    capabilities?: Capabilities;
    inFlight?: LeaseRef[];
    connection?: string;
  } = {},
): Extract<Command, { type: 'RegisterWorker' }> {
  return {
    type: 'RegisterWorker',
    now: opts.now ?? 1,
    workerId,
    name: workerId,
    capabilities: opts.capabilities ?? nodeCapabilities(),
    labels: opts.labels ?? {},
    slots: opts.slots ?? 1,
    inFlight: opts.inFlight ?? [],
    connection: opts.connection ?? connectionOf(workerId),
  };
}

/** The `WorkerDisconnected` of a worker's connection, `connectionOf` it unless told another. */
export function disconnectCommand(
  workerId: string,
  now: number,
  connection = connectionOf(workerId),
): Extract<Command, { type: 'WorkerDisconnected' }> {
  return { type: 'WorkerDisconnected', now, workerId, connection };
}

export function newState(scheduling?: StateConfig['scheduling']): CoordinatorState {
  return createState({
    heartbeatIntervalMs: 1000,
    heartbeatMisses: 3,
    ...(scheduling === undefined ? {} : { scheduling }),
  });
}

/** A tiny harness: applies commands with a fake clock and records every event. */
export class Harness {
  readonly state: CoordinatorState;

  constructor(scheduling?: StateConfig['scheduling']) {
    this.state = newState(scheduling);
  }

  now = 1_000;
  readonly events: StateEvent[] = [];
  private nextId = 1;

  /** Applies `command`; throws when the kept task counts no longer match the tasks. */
  run(command: Command): StateEvent[] {
    const events = apply(this.state, command);
    for (const event of events) this.events.push(event);
    // Recounting is O(tasks): the large scheduling tests are left to the small ones.
    if (this.state.tasks.size > 2_000) return events;
    const recounted = zeroStateCounts();
    for (const task of this.state.tasks.values()) recounted[task.state]++;
    for (const [name, count] of Object.entries(recounted)) {
      const kept = this.state.taskCounts[name as keyof typeof recounted];
      if (kept !== count)
        throw new Error(`after ${command.type}: ${kept} tasks counted ${name}, ${count} are`);
    }
    return events;
  }

  submit(...specs: TaskSpec[]): string[] {
    const tasks = specs.map((spec) => ({ id: `t${this.nextId++}`, spec }));
    this.run({ type: 'SubmitTasks', now: this.now, tasks });
    return tasks.map((t) => t.id);
  }

  register(
    workerId: string,
    opts: { slots?: number; labels?: Labels; capabilities?: Capabilities } = {},
  ): void {
    this.run(registerCommand(workerId, { ...opts, now: this.now }));
  }

  task(id: string) {
    const task = this.state.tasks.get(id);
    if (task === undefined) throw new Error(`no task ${id}`);
    return task;
  }

  /** Places what the scheduler places now, with plugins' `hooks` when given. */
  assign(hooks?: PlacementHooks): Placement[] {
    const placements = schedule(this.state, hooks);
    this.run({ type: 'AssignTasks', now: this.now, placements });
    return placements;
  }

  /** The worker holding the task's lease reports `result` for it. */
  report(id: string, result: TaskResult): StateEvent[] {
    const workerId = this.task(id).workerId;
    if (workerId === undefined) throw new Error(`task ${id} is not assigned`);
    return this.run({
      type: 'RecordResults',
      now: this.now,
      workerId,
      reports: [{ ...this.lease(id), result }],
    });
  }

  /** Moves the clock on and ticks, so retry backoffs that ran out end. */
  advance(ms: number): StateEvent[] {
    this.now += ms;
    return this.run({ type: 'Tick', now: this.now });
  }

  lease(id: string) {
    const t = this.task(id);
    return { taskId: t.id, attempt: t.attempt, leaseToken: t.leaseToken };
  }
}

/**
 * A command sink that applies each command to `state` at once and hands its events to
 * `listener` (and to `done`), as a coordinator's group commit would after a durable batch.
 */
export function immediateCommits(
  state: CoordinatorState,
  listener: (events: StateEvent[]) => void,
): CommandSink {
  return {
    state,
    submit(command, done) {
      const events = apply(state, command);
      done?.(events);
      listener(events);
    },
    submitAndWait: () => Promise.reject(new Error('not used')),
  };
}
