import { randomUUID } from 'node:crypto';
import { type DtfClient, restGet, toHttpUrl, uploadArtifact } from '../../client/index.js';
import {
  type ArtifactRef,
  type ExecutionProvider,
  MAX_QUERY_LIMIT,
  RestWorkersResponse,
  StageSpeeds,
  type TaskEvent,
  type TaskView,
} from '../../protocol/index.js';
import { type PartitionPlan, planPartition, stageModels } from '../partition/index.js';
import {
  type CandidateWorker,
  placeStages,
  type StageDemand,
  type StagePlacement,
} from '../placement/place-stages.js';
import { calibrate, unmeasuredPairs } from './calibrate.js';
import { stageCandidates } from './candidates.js';
import type { PreparedModel } from './prepare-model.js';
import { decideRecovery, type LostStage, type RecoveryStrategy } from './recovery.js';
import { remainingGraph } from './remaining-graph.js';
import { type CommittedActivation, type LedgerChange, RunLedger } from './run-ledger.js';
import { type PipelineFigures, pipelineFigures } from './run-report.js';
import { stageTasks } from './stage-tasks.js';

export interface ShardedRunOptions {
  client: DtfClient;
  /** The admin key: stage models are stored and tasks moved with it. */
  token: string;
  prepared: PreparedModel;
  /** Backends the run may place stages on, best first. */
  backends: readonly ExecutionProvider[];
  /**
   * Places the first plan's stages; `placeStages` by default. A benchmark gives its own to keep
   * one placement across runs, which the speed history moving between runs would change.
   */
  place?: typeof placeStages;
  microBatches: number;
  recovery: RecoveryStrategy;
  budgetBytes?: number | undefined;
  /** The group of the run's tasks; a fresh id by default. */
  run?: string;
  /** How long a progressive recovery waits for a free worker before it re-plans. */
  waitBoundMs?: number;
  progress?: (line: string) => void;
}

/** What a recovery did, and how long the run took to commit a stage again. */
export interface RecoveryRecord {
  at: number;
  lostWorkers: string[];
  strategy: RecoveryStrategy;
  actions: string[];
  /** From the loss being seen to the first stage committed after it. */
  resumedAfterMs?: number;
}

export interface ShardedRunResult {
  run: string;
  plan: PartitionPlan;
  placements: StagePlacement[];
  generations: number;
  /** The model's outputs for each micro-batch, as the stages that made them committed them. */
  outputs: Array<Record<string, CommittedActivation>>;
  figures: PipelineFigures;
  recoveries: RecoveryRecord[];
  /** Work committed twice for one micro-batch: a recovery that redid committed work. */
  committedTwice: number;
}

const DEFAULT_WAIT_BOUND_MS = 10_000;
const WORKER_POLL_MS = 500;
const STAGE_RETRIES = 5;
const STAGE_TIMEOUT_MS = 300_000;

function demands(plan: PartitionPlan): StageDemand[] {
  return plan.stages.map((stage) => ({
    index: stage.index,
    costFlops: stage.costFlops,
    memoryBytes: stage.weightBytes + stage.activationBytes,
  }));
}

/** The events of tasks as a query reads them: a way to catch up on what a subscription missed. */
function eventOf(task: TaskView): TaskEvent {
  return {
    taskId: task.id,
    state: task.state,
    attempt: task.attempt,
    ...(task.workerId === undefined ? {} : { workerId: task.workerId }),
    at: task.finishedAt ?? task.startedAt ?? task.submittedAt,
    ...(task.result === undefined ? {} : { result: task.result }),
  };
}

/**
 * One sharded run: stages placed on the live workers, a `shard-stage` task per stage and
 * micro-batch with the DAG of their activations, followed to the end. A lost worker is
 * recovered from as the run's strategy says, from the activations committed.
 */
export class ShardedRun {
  private readonly run: string;
  private readonly ledger: RunLedger;
  private readonly progress: (line: string) => void;
  private readonly recoveries: RecoveryRecord[] = [];
  private readonly placeOf = new Map<
    string,
    { generation: number; activationInputBytes: number }
  >();
  /** Connected workers that take stages, as of the last look. */
  private workers: CandidateWorker[] = [];
  /** Workers known gone (dead, drained, or no longer registered) as of the last look. */
  private gone = new Set<string>();
  private readonly workerNames = new Map<string, string>();
  private speeds: StageSpeeds = { byWorker: {}, byBrowser: {} };
  private lostSince: number | undefined;
  /** Events and checks run one at a time, in order: each may await the coordinator. */
  private queue: Promise<void> = Promise.resolve();
  private pendingEvents: TaskEvent[] = [];
  private finished!: (error?: Error) => void;

  constructor(private readonly options: ShardedRunOptions) {
    this.run = options.run ?? `shard-${randomUUID().slice(0, 8)}`;
    this.ledger = new RunLedger(options.microBatches, options.prepared.graph.outputs);
    this.progress = options.progress ?? (() => {});
  }

  private get httpUrl(): string {
    return toHttpUrl(this.options.client.url);
  }

  async execute(): Promise<ShardedRunResult> {
    const { prepared } = this.options;
    const refs = await this.storeStages(prepared.plan, prepared.stageBytes);
    await this.refreshWorkers();
    this.speeds = await this.fetchSpeeds();
    await this.calibrateUnmeasured(prepared.plan, refs);
    const placement = (this.options.place ?? placeStages)(demands(prepared.plan), this.workers, {
      backends: this.options.backends,
      speeds: this.speeds,
    });
    for (const stage of placement.stages) {
      this.progress(`stage ${stage.stage} → ${stage.why}`);
    }
    const done = new Promise<void>((resolve, reject) => {
      this.finished = (error) => (error === undefined ? resolve() : reject(error));
    });
    const subscription = await this.options.client.subscribe(
      { group: this.run },
      (events) => this.enqueueEvents(events),
      (error) => this.finished(error),
    );
    const poll = setInterval(() => this.enqueue(() => this.checkWorkers()), WORKER_POLL_MS);
    try {
      const all = Array.from({ length: this.options.microBatches }, (_, b) => b);
      await this.submitGeneration(prepared.plan, refs, placement.stages, all);
      this.enqueueEvents(subscription.snapshot);
      await done;
    } finally {
      clearInterval(poll);
      await subscription.close().catch(() => {});
    }
    return this.result(placement.stages);
  }

  private async storeStages(plan: PartitionPlan, stageBytes: readonly Uint8Array[]) {
    const refs: ArtifactRef[] = [];
    for (const [index, bytes] of stageBytes.entries()) {
      refs.push(await uploadArtifact(this.httpUrl, bytes, this.options.token));
      this.progress(
        `stage ${index} of ${plan.stages.length}: ${plan.stages[index]!.nodes.length} nodes, ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB stored`,
      );
    }
    return refs;
  }

  private async refreshWorkers(): Promise<void> {
    const reply = RestWorkersResponse.parse(
      await restGet(this.httpUrl, '/api/workers', this.options.token),
    );
    this.workers = stageCandidates(reply.workers, this.options.budgetBytes);
    for (const worker of reply.workers) this.workerNames.set(worker.id, worker.name);
    const registered = new Set(reply.workers.map((worker) => worker.id));
    this.gone = new Set(
      [...this.workerNames.keys()].filter((id) => {
        const status = reply.workers.find((worker) => worker.id === id)?.status;
        return !registered.has(id) || status === 'dead' || status === 'drained';
      }),
    );
  }

  private async fetchSpeeds(): Promise<StageSpeeds> {
    return StageSpeeds.parse(await restGet(this.httpUrl, '/api/shard/speeds', this.options.token));
  }

  /** Pairs no earlier run measured are measured now; those that cannot run are left out. */
  private async calibrateUnmeasured(plan: PartitionPlan, refs: readonly ArtifactRef[]) {
    const pairs = unmeasuredPairs(this.workers, this.options.backends, this.speeds);
    const stage = plan.stages.find((candidate) => candidate.dependsOn.length === 0)!;
    const failures = await calibrate(
      this.options.client,
      this.run,
      pairs,
      { plan: stage, model: refs[stage.index]!, modelInputs: this.options.prepared.model.inputs },
      this.progress,
    );
    for (const [key, reason] of failures) {
      const [workerId, backend] = key.split('/') as [string, ExecutionProvider];
      const worker = this.workers.find((candidate) => candidate.id === workerId)!;
      worker.backends.available = worker.backends.available.filter((b) => b !== backend);
      worker.backends.unavailable[backend] = reason;
      this.progress(`${worker.name} cannot run stages on ${backend}: ${reason}`);
    }
    this.speeds = await this.fetchSpeeds();
  }

  private async submitGeneration(
    plan: PartitionPlan,
    refs: readonly ArtifactRef[],
    placements: StagePlacement[],
    microBatches: readonly number[],
  ): Promise<void> {
    const generation = this.ledger.addGeneration(plan, placements, [...microBatches]);
    const source = {
      run: this.run,
      label: this.options.prepared.model.name,
      generation,
      stages: plan.stages,
      models: refs,
      placements,
      modelInputs: this.options.prepared.model.inputs,
      maxRetries: STAGE_RETRIES,
      timeoutMs: STAGE_TIMEOUT_MS,
    };
    const keys: Array<{ stage: number; microBatch: number; activationInputBytes: number }> = [];
    const specs = microBatches.flatMap((microBatch) => {
      const committed = this.ledger.committedTensors(microBatch);
      for (const stage of plan.stages) {
        const fromModel = new Set(Object.keys(this.options.prepared.model.inputs));
        const activationInputBytes = stage.inputs
          .filter((input) => !fromModel.has(input.name))
          .reduce((sum, input) => sum + input.bytes, 0);
        keys.push({ stage: stage.index, microBatch, activationInputBytes });
      }
      return stageTasks(source, microBatch, committed);
    });
    const taskIds = await this.options.client.submit(specs);
    taskIds.forEach((taskId, i) => {
      const key = keys[i]!;
      this.ledger.track(taskId, { generation, stage: key.stage, microBatch: key.microBatch });
      this.placeOf.set(taskId, { generation, activationInputBytes: key.activationInputBytes });
    });
    const early = this.pendingEvents;
    this.pendingEvents = [];
    this.enqueueEvents(early);
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.queue = this.queue.then(step).catch((error: Error) => this.finished(error));
  }

  private enqueueEvents(events: readonly TaskEvent[]): void {
    this.enqueue(() => {
      for (const event of events) this.take(event);
    });
  }

  private take(event: TaskEvent): void {
    if (!this.placeOf.has(event.taskId)) {
      // An event of a task whose submit has not answered yet: kept until it has.
      this.pendingEvents.push(event);
      return;
    }
    const change = this.ledger.apply(event);
    if (change !== undefined) this.react(change);
  }

  private react(change: LedgerChange): void {
    switch (change.type) {
      case 'committed': {
        const { commit } = change;
        const recovery = this.recoveries.at(-1);
        if (
          recovery !== undefined &&
          recovery.resumedAfterMs === undefined &&
          commit.at >= recovery.at
        ) {
          recovery.resumedAfterMs = commit.at - recovery.at;
        }
        const complete = Array.from({ length: this.options.microBatches }, (_, b) => b).filter(
          (b) => this.ledger.isComplete(b),
        ).length;
        this.progress(
          `committed stage ${commit.stage} of micro-batch ${commit.microBatch} (${complete}/${this.options.microBatches} micro-batches done)`,
        );
        if (this.ledger.allComplete()) this.finished();
        return;
      }
      case 'requeued':
        this.progress(
          `stage ${change.task.stage} of micro-batch ${change.task.microBatch} lost its attempt: ${change.reason ?? 'no reason given'}`,
        );
        this.enqueue(() => this.checkWorkers());
        return;
      case 'failed':
        this.finished(
          new Error(
            `stage ${change.task.stage} of micro-batch ${change.task.microBatch} ended ${change.state}: ${change.reason}`,
          ),
        );
        return;
    }
  }

  /** Finds stages whose worker is gone and recovers them as the run's strategy says. */
  private async checkWorkers(): Promise<void> {
    if (this.ledger.allComplete()) return;
    try {
      await this.refreshWorkers();
    } catch (error) {
      // A coordinator between leaders cannot answer for a moment; the next look will.
      this.progress(`cannot list the workers now: ${(error as Error).message}`);
      return;
    }
    const live = this.ledger.liveStages();
    const lost: LostStage[] = [];
    const lostWorkers = new Set<string>();
    const busy = new Set<string>();
    for (const { generation, stage, taskIds } of live) {
      const placement = this.ledger.placementOf({ generation, stage });
      // A disconnected worker keeps its leases until the coordinator gives it up: only a worker
      // known gone is recovered from, so a leader change does not move every stage.
      if (!this.gone.has(placement.workerId)) {
        busy.add(placement.workerId);
        continue;
      }
      lostWorkers.add(placement.workerName);
      const plan = this.ledger.generations[generation]!.plan.stages[stage]!;
      lost.push({
        generation,
        stage,
        costFlops: plan.costFlops,
        memoryBytes: plan.weightBytes + plan.activationBytes,
        taskIds,
      });
    }
    if (lost.length === 0) {
      this.lostSince = undefined;
      return;
    }
    const now = Date.now();
    this.lostSince ??= now;
    const decisions = decideRecovery({
      strategy: this.options.recovery,
      lost,
      workers: this.workers,
      busy,
      placement: { backends: this.options.backends, speeds: this.speeds },
      plannedStages: Math.max(
        ...lost.map((s) => this.ledger.generations[s.generation]!.plan.stages.length),
      ),
      waitedMs: now - this.lostSince,
      waitBoundMs: this.options.waitBoundMs ?? DEFAULT_WAIT_BOUND_MS,
    });
    const record: RecoveryRecord = {
      at: this.lostSince,
      lostWorkers: [...lostWorkers],
      strategy: this.options.recovery,
      actions: [],
    };
    for (const decision of decisions) {
      if (decision.type === 'wait') {
        this.progress(`recovery: ${decision.why}`);
        continue;
      }
      if (decision.type === 'move') {
        await this.options.client.retarget(decision.taskIds, { workers: [decision.to.workerId] });
        this.ledger.move(decision.generation, decision.to);
        record.actions.push(`stage ${decision.to.stage} moved to ${decision.to.why}`);
        continue;
      }
      await this.replan(decision.stages);
      record.actions.push(`${decision.why}: ${decision.stages} stage(s)`);
    }
    if (record.actions.length > 0) {
      for (const action of record.actions)
        this.progress(`recovery from losing ${record.lostWorkers.join(', ')}: ${action}`);
      this.recoveries.push(record);
      this.lostSince = undefined;
    }
  }

  /**
   * Stops every stage task that has not ended, catches up on what committed meanwhile, and plans
   * what is left of each unfinished micro-batch again, from its committed activations.
   */
  private async replan(stages: number): Promise<void> {
    const live = this.ledger.liveTasks().map((task) => task.taskId);
    this.ledger.withdraw(live);
    if (live.length > 0) await this.options.client.cancel({ taskIds: live });
    for (const task of await this.groupTasks()) this.take(eventOf(task));
    const byFrontier = new Map<string, number[]>();
    for (let b = 0; b < this.options.microBatches; b++) {
      if (this.ledger.isComplete(b)) continue;
      const key = [...this.ledger.done(b)].sort().join('\u0000');
      byFrontier.set(key, [...(byFrontier.get(key) ?? []), b]);
    }
    const { graph, shapes } = this.options.prepared;
    for (const microBatches of byFrontier.values()) {
      const rest = remainingGraph(graph, this.ledger.done(microBatches[0]!));
      const plan = planPartition(rest, shapes, {
        stages: Math.min(stages, rest.nodes.length),
        budgetBytes: this.options.budgetBytes,
        strategy: 'pipeline',
      });
      const refs = await this.storeStages(plan, stageModels(rest, plan, shapes));
      const placement = placeStages(demands(plan), this.workers, {
        backends: this.options.backends,
        speeds: this.speeds,
      });
      await this.submitGeneration(plan, refs, placement.stages, microBatches);
    }
  }

  private async groupTasks(): Promise<TaskView[]> {
    const tasks: TaskView[] = [];
    for (;;) {
      const page = await this.options.client.query({
        group: this.run,
        limit: MAX_QUERY_LIMIT,
        ...(tasks.length > 0 ? { afterSeq: tasks.at(-1)!.seq } : {}),
      });
      tasks.push(...page);
      if (page.length < MAX_QUERY_LIMIT) return tasks;
    }
  }

  private async result(placements: StagePlacement[]): Promise<ShardedRunResult> {
    const tasks = (await this.groupTasks()).filter((task) => this.placeOf.has(task.id));
    const outputs = Array.from({ length: this.options.microBatches }, (_, b) => {
      const committed = this.ledger.committedTensors(b);
      return Object.fromEntries(
        this.options.prepared.graph.outputs.map((name) => [name, committed.get(name)!]),
      );
    });
    return {
      run: this.run,
      plan: this.options.prepared.plan,
      placements,
      generations: this.ledger.generations.length,
      outputs,
      figures: pipelineFigures(
        tasks,
        (taskId) => this.placeOf.get(taskId)!,
        (workerId) => this.workerNames.get(workerId) ?? workerId,
      ),
      recoveries: this.recoveries,
      committedTwice: this.ledger.committedTwice,
    };
  }
}
