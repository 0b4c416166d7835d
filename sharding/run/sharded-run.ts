import { randomUUID } from 'node:crypto';
import {
  type DtfClient,
  downloadArtifact,
  restGet,
  toHttpUrl,
  uploadArtifact,
} from '../../client/index.js';
import {
  type ArtifactRef,
  artifactHex,
  type ExecutionProvider,
  MAX_QUERY_LIMIT,
  RestWorkersResponse,
  StageSpeeds,
  type TaskEvent,
  type TaskView,
} from '../../protocol/index.js';
import { summarizeTensor, tensorFromBytes } from '../../tensors/index.js';
import { type PartitionPlan, stageModels } from '../partition/index.js';
import {
  type CandidateWorker,
  PlacementError,
  placeStages,
  type StagePlacement,
} from '../placement/place-stages.js';
import { stageDemands } from '../placement/stage-demands.js';
import { calibrate, unmeasuredPairs } from './calibrate.js';
import { stageCandidates } from './candidates.js';
import { retryWhileLeaderless } from './leaderless-retry.js';
import type { PreparedModel } from './prepare-model.js';
import {
  decideRecovery,
  type LostStage,
  type RecoveryDecision,
  type RecoveryStrategy,
} from './recovery.js';
import { planRemaining } from './remaining-graph.js';
import {
  type CommittedActivation,
  type Generation,
  type LedgerChange,
  RunLedger,
  type StageCommit,
} from './run-ledger.js';
import { type PipelineFigures, pipelineFigures } from './run-report.js';
import { stageTasks } from './stage-tasks.js';

export interface ShardedRunOptions {
  client: DtfClient;
  /** The admin key: stage models are stored and tasks moved with it. */
  token: string | undefined;
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
  /**
   * How long work left without a worker (a lost stage, or what a re-plan has yet to place) may
   * find no live worker able to take it before the run ends with an error saying why.
   */
  placementBoundMs?: number;
  progress?: (line: string) => void;
  /** Called as each stage output commits, for a live display (or a test that acts on it). */
  onCommit?: (commit: StageCommit) => void;
}

/** What a recovery did, and how long the run took to commit a stage again. */
export interface RecoveryRecord {
  /** When the loss was seen. */
  at: number;
  lostWorkers: string[];
  strategy: RecoveryStrategy;
  actions: string[];
  /** From the loss being seen to the first commit of work the recovery placed again. */
  resumedAfterMs?: number;
}

export interface ShardedRunResult {
  run: string;
  plan: PartitionPlan;
  placements: StagePlacement[];
  generations: number;
  /** Each plan of the run: the first, then those of re-plans, with the micro-batches each ran. */
  plans: Generation[];
  /**
   * The model's outputs for each micro-batch, as the stages that made them committed them, with
   * their values (read back from the committed artifacts) in `summary.data`.
   */
  outputs: Array<Record<string, CommittedActivation>>;
  /** Every stage output committed, in the order the run saw them. */
  commits: StageCommit[];
  figures: PipelineFigures;
  recoveries: RecoveryRecord[];
  /** Work committed twice for one micro-batch: a recovery that redid committed work. */
  committedTwice: number;
}

const DEFAULT_WAIT_BOUND_MS = 10_000;
const DEFAULT_PLACEMENT_BOUND_MS = 60_000;
const WORKER_POLL_MS = 500;
const STAGE_RETRIES = 5;
const STAGE_TIMEOUT_MS = 300_000;

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

/** A recovery whose work has not committed yet: what counts as that work. */
interface AwaitedResume {
  record: RecoveryRecord;
  /** Tasks it moved. */
  moved: Set<string>;
  /** Generations from this one on are its re-plans. */
  fromGeneration: number | undefined;
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
  private readonly awaitedResumes: AwaitedResume[] = [];
  private readonly placeOf = new Map<
    string,
    { generation: number; activationInputBytes: number }
  >();
  /** Connected workers that take stages, as of the last look. */
  private workers: CandidateWorker[] = [];
  /** Workers the coordinator has given up (dead or drained) as of the last look. */
  private gone = new Set<string>();
  private readonly workerNames = new Map<string, string>();
  /** Backends a worker failed to calibrate on, with why: never placed there in this run. */
  private readonly unusable = new Map<string, Map<ExecutionProvider, string>>();
  private speeds: StageSpeeds = { byWorker: {}, byBrowser: {} };
  private lostSince: number | undefined;
  /** The stage count a re-plan asked for, while it has micro-batches left to place. */
  private replanStages: number | undefined;
  private unplacedSince: number | undefined;
  private lastWait: string | undefined;
  /** Whether a check is queued or running: the poll adds none meanwhile. */
  private checkQueued = false;
  /** Events and checks run one at a time, in order: each may await the coordinator. */
  private queue: Promise<void> = Promise.resolve();
  /** Set once the run has ended: steps still queued then do nothing. */
  private over = false;
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
    await retryWhileLeaderless('list the workers', () => this.refreshWorkers());
    this.speeds = await this.fetchSpeeds();
    await this.calibrateUnmeasured(prepared.plan, refs);
    const placement = (this.options.place ?? placeStages)(
      stageDemands(prepared.plan),
      this.workers,
      {
        backends: this.options.backends,
        speeds: this.speeds,
      },
    );
    for (const stage of placement.stages) {
      this.progress(`stage ${stage.stage} → ${stage.why}`);
    }
    const done = new Promise<void>((resolve, reject) => {
      this.finished = (error) => {
        this.over = true;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    const subscription = await this.options.client.subscribe(
      { group: this.run },
      (events) => this.enqueueEvents(events),
      (error) => this.finished(error),
    );
    let poll: NodeJS.Timeout | undefined;
    try {
      const all = Array.from({ length: this.options.microBatches }, (_, b) => b);
      await this.submitGeneration(prepared.plan, refs, placement.stages, all);
      this.enqueueEvents(subscription.snapshot);
      poll = setInterval(() => this.enqueueCheck(), WORKER_POLL_MS);
      await done;
    } catch (error) {
      // A run that fails stops its work: nothing it submitted waits on after it.
      clearInterval(poll);
      await this.queue;
      await this.options.client.cancel({ group: this.run }).catch(() => {});
      throw error;
    } finally {
      clearInterval(poll);
      await subscription.close().catch(() => {});
    }
    return this.result(placement.stages);
  }

  private async storeStages(plan: PartitionPlan, stageBytes: readonly Uint8Array[]) {
    const refs: ArtifactRef[] = [];
    for (const [index, bytes] of stageBytes.entries()) {
      refs.push(
        await retryWhileLeaderless(`store stage ${index}`, () =>
          uploadArtifact(this.httpUrl, bytes, this.options.token),
        ),
      );
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
    for (const worker of this.workers) {
      for (const [backend, reason] of this.unusable.get(worker.id) ?? []) {
        worker.backends.available = worker.backends.available.filter((b) => b !== backend);
        worker.backends.unavailable[backend] = reason;
      }
    }
    // Only the coordinator's word makes a worker gone: one merely disconnected (its
    // coordinator stepped down, say) keeps its leases and comes back.
    this.gone = new Set();
    for (const worker of reply.workers) {
      this.workerNames.set(worker.id, worker.name);
      if (worker.status === 'dead' || worker.status === 'drained') this.gone.add(worker.id);
    }
  }

  private async fetchSpeeds(): Promise<StageSpeeds> {
    return StageSpeeds.parse(
      await retryWhileLeaderless('read the stage speeds', () =>
        restGet(this.httpUrl, '/api/shard/speeds', this.options.token),
      ),
    );
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
      const unusable = this.unusable.get(workerId) ?? new Map<ExecutionProvider, string>();
      this.unusable.set(workerId, unusable.set(backend, reason));
      this.progress(`${this.workerNames.get(workerId)} cannot run stages on ${backend}: ${reason}`);
    }
    await retryWhileLeaderless('list the workers', () => this.refreshWorkers());
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
    const fromModel = new Set(Object.keys(this.options.prepared.model.inputs));
    // The same for every micro-batch: the bytes of activations each stage reads.
    const activationInputBytes = plan.stages.map((stage) =>
      stage.inputs
        .filter((input) => !fromModel.has(input.name))
        .reduce((sum, input) => sum + input.bytes, 0),
    );
    // `stageTasks` gives one task per stage, in plan order, for each micro-batch in turn.
    const specs = microBatches.flatMap((microBatch) =>
      stageTasks(source, microBatch, this.ledger.committedTensors(microBatch)),
    );
    const taskIds = await this.options.client.submit(specs);
    taskIds.forEach((taskId, i) => {
      const position = i % plan.stages.length;
      const stage = plan.stages[position]!.index;
      const microBatch = microBatches[Math.floor(i / plan.stages.length)]!;
      this.placeOf.set(taskId, {
        generation,
        activationInputBytes: activationInputBytes[position]!,
      });
      for (const change of this.ledger.track(taskId, { generation, stage, microBatch })) {
        this.react(change);
      }
    });
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.queue = this.queue
      .then(() => (this.over ? undefined : step()))
      .catch((error: Error) => this.finished(error));
  }

  private enqueueEvents(events: readonly TaskEvent[]): void {
    this.enqueue(() => {
      for (const event of events) this.take(event);
    });
  }

  private enqueueCheck(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    this.enqueue(async () => {
      this.checkQueued = false;
      await this.check();
    });
  }

  private take(event: TaskEvent): void {
    const change = this.ledger.apply(event);
    if (change !== undefined) this.react(change);
  }

  private react(change: LedgerChange): void {
    switch (change.type) {
      case 'committed': {
        const { commit } = change;
        this.noteResumed(commit);
        this.options.onCommit?.(commit);
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
        this.enqueueCheck();
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

  /** A recovery has resumed once work it placed again commits. */
  private noteResumed(commit: StageCommit): void {
    for (let i = this.awaitedResumes.length - 1; i >= 0; i--) {
      const { record, moved, fromGeneration } = this.awaitedResumes[i]!;
      const replanned = fromGeneration !== undefined && commit.generation >= fromGeneration;
      if (!replanned && !moved.has(commit.taskId)) continue;
      record.resumedAfterMs = Math.max(0, commit.at - record.at);
      this.awaitedResumes.splice(i, 1);
    }
  }

  /** Places what a re-plan left unplaced, then recovers stages whose worker is gone. */
  private async check(): Promise<void> {
    if (this.ledger.allComplete()) return;
    try {
      await this.refreshWorkers();
    } catch (error) {
      // A coordinator between leaders cannot answer for a moment; the next look will.
      this.progress(`cannot list the workers now: ${(error as Error).message}`);
      return;
    }
    await this.placeUnplanned();
    await this.recoverLostStages();
  }

  private async recoverLostStages(): Promise<void> {
    const lost: LostStage[] = [];
    const lostWorkers = new Set<string>();
    const held = new Map<string, number>();
    for (const { generation, stage, taskIds } of this.ledger.liveStages()) {
      const placement = this.ledger.placementOf({ generation, stage });
      const plan = this.ledger.generations[generation]!.plan.stages[stage]!;
      const memoryBytes = plan.weightBytes + plan.activationBytes;
      const { workerId } = placement;
      if (!this.gone.has(workerId)) {
        held.set(workerId, (held.get(workerId) ?? 0) + memoryBytes);
        continue;
      }
      lostWorkers.add(placement.workerName);
      lost.push({ generation, stage, costFlops: plan.costFlops, memoryBytes, taskIds });
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
      held,
      placement: { backends: this.options.backends, speeds: this.speeds },
      plannedStages: Math.max(
        ...lost.map((s) => this.ledger.generations[s.generation]!.plan.stages.length),
      ),
      waitedMs: now - this.lostSince,
      waitBoundMs: this.options.waitBoundMs ?? DEFAULT_WAIT_BOUND_MS,
      placementBoundMs: this.options.placementBoundMs ?? DEFAULT_PLACEMENT_BOUND_MS,
    });
    await this.act(decisions, { at: this.lostSince, lostWorkers: [...lostWorkers] });
  }

  private async act(
    decisions: readonly RecoveryDecision[],
    loss: { at: number; lostWorkers: string[] },
  ): Promise<void> {
    const record: RecoveryRecord = { ...loss, strategy: this.options.recovery, actions: [] };
    const awaited: AwaitedResume = { record, moved: new Set(), fromGeneration: undefined };
    const waits: string[] = [];
    for (const decision of decisions) {
      switch (decision.type) {
        case 'fail':
          throw new Error(
            `recovery from losing ${loss.lostWorkers.join(', ')} failed: ${decision.why}`,
          );
        case 'wait':
          waits.push(decision.why);
          continue;
        case 'move':
          await this.options.client.retarget(decision.taskIds, {
            workers: [decision.to.workerId],
          });
          this.ledger.move(decision.generation, decision.to);
          for (const taskId of decision.taskIds) awaited.moved.add(taskId);
          record.actions.push(`stage ${decision.to.stage} moved to ${decision.to.why}`);
          continue;
        case 'replan':
          awaited.fromGeneration = this.ledger.generations.length;
          await this.replan(decision.stages);
          record.actions.push(`${decision.why}: ${decision.stages} stage(s)`);
      }
    }
    const wait = waits.join('; ');
    if (wait !== '' && wait !== this.lastWait) this.progress(`recovery: ${wait}`);
    this.lastWait = wait === '' ? undefined : wait;
    if (record.actions.length === 0) return;
    for (const action of record.actions) {
      this.progress(`recovery from losing ${record.lostWorkers.join(', ')}: ${action}`);
    }
    this.recoveries.push(record);
    this.awaitedResumes.push(awaited);
    // A stage still waiting keeps the time it has waited.
    if (waits.length === 0) this.lostSince = undefined;
  }

  /**
   * Stops every stage task that has not ended, catches up on what committed meanwhile, and plans
   * what is left of each unfinished micro-batch again, from its committed activations.
   */
  private async replan(stages: number): Promise<void> {
    const live = this.ledger.liveTasks().map((task) => task.taskId);
    this.ledger.withdraw(live);
    if (live.length > 0) await this.options.client.cancel({ taskIds: live });
    // A stage may have committed before the cancel reached it: once the cancel is answered every
    // withdrawn task has ended, so the group as it stands now says exactly what is committed.
    for (const task of await this.groupTasks()) this.take(eventOf(task));
    this.replanStages = stages;
    this.unplacedSince = undefined;
    await this.placeUnplanned();
  }

  /**
   * Plans and places what is left of every unfinished micro-batch no live task works on (after a
   * re-plan), those with the same committed work together. Work no live worker can take waits
   * for one, up to the placement bound.
   */
  private async placeUnplanned(): Promise<void> {
    const unplanned = this.ledger.unplanned();
    if (this.replanStages === undefined || unplanned.length === 0) return;
    const byFrontier = new Map<string, number[]>();
    for (const b of unplanned) {
      const key = [...this.ledger.done(b)].sort().join('\u0000');
      byFrontier.set(key, [...(byFrontier.get(key) ?? []), b]);
    }
    const { graph, shapes } = this.options.prepared;
    for (const microBatches of byFrontier.values()) {
      const { rest, plan } = planRemaining(graph, shapes, this.ledger.done(microBatches[0]!), {
        stages: this.replanStages,
        budgetBytes: this.options.budgetBytes,
      });
      let placement: StagePlacement[];
      try {
        placement = placeStages(stageDemands(plan), this.workers, {
          backends: this.options.backends,
          speeds: this.speeds,
        }).stages;
      } catch (error) {
        if (!(error instanceof PlacementError)) throw error;
        this.awaitPlacement(error.message);
        return;
      }
      const refs = await this.storeStages(plan, stageModels(rest, plan, shapes));
      await this.submitGeneration(plan, refs, placement, microBatches);
    }
    this.unplacedSince = undefined;
  }

  private awaitPlacement(why: string): void {
    const now = Date.now();
    this.unplacedSince ??= now;
    const bound = this.options.placementBoundMs ?? DEFAULT_PLACEMENT_BOUND_MS;
    if (now - this.unplacedSince >= bound) {
      throw new Error(`the re-plan found no live worker able to take it for ${bound} ms: ${why}`);
    }
    if (why !== this.lastWait) this.progress(`the re-plan waits for a worker: ${why}`);
    this.lastWait = why;
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

  /** A committed model output with its values, read back from the coordinator's store. */
  private async withValues(activation: CommittedActivation): Promise<CommittedActivation> {
    const { artifact, type, dims } = activation;
    const bytes = await retryWhileLeaderless(`fetch output ${artifact}`, () =>
      downloadArtifact(this.httpUrl, artifact, this.options.token),
    );
    const data = tensorFromBytes(type, dims, bytes);
    return {
      ...activation,
      summary: summarizeTensor(type, dims, data, artifactHex(artifact), data.length),
    };
  }

  private async result(placements: StagePlacement[]): Promise<ShardedRunResult> {
    const tasks = (await this.groupTasks()).filter((task) => this.placeOf.has(task.id));
    const outputs: Array<Record<string, CommittedActivation>> = [];
    for (let b = 0; b < this.options.microBatches; b++) {
      const committed = this.ledger.committedTensors(b);
      const values: Record<string, CommittedActivation> = {};
      for (const name of this.options.prepared.graph.outputs) {
        values[name] = await this.withValues(committed.get(name)!);
      }
      outputs.push(values);
    }
    return {
      run: this.run,
      plan: this.options.prepared.plan,
      placements,
      generations: this.ledger.generations.length,
      plans: this.ledger.generations,
      outputs,
      commits: this.ledger.commits,
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
