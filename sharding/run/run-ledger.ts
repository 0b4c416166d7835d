import { type TaskEvent, TERMINAL_STATES, type TensorSummary } from '../../protocol/index.js';
import type { PartitionPlan } from '../partition/index.js';
import type { StagePlacement } from '../placement/place-stages.js';
import type { CommittedTensor } from './stage-tasks.js';

/** One plan of the run: the first, or a re-plan of what was left after a recovery. */
export interface Generation {
  index: number;
  plan: PartitionPlan;
  placements: StagePlacement[];
  microBatches: number[];
}

/** A committed activation and what its stage reported of its values. */
export interface CommittedActivation extends CommittedTensor {
  summary: TensorSummary;
}

export interface StageTaskKey {
  generation: number;
  stage: number;
  microBatch: number;
}

interface TrackedTask extends StageTaskKey {
  taskId: string;
  state: TaskEvent['state'];
  /** Set when the run itself cancelled it (a re-plan), so its end is no failure. */
  withdrawn?: true;
}

/** A stage's outputs for one micro-batch became visible to its consumers. */
export interface StageCommit extends StageTaskKey {
  taskId: string;
  workerId: string | undefined;
  at: number;
  /** Nodes of the model whose work this commit holds. */
  nodes: readonly string[];
}

/** What one task event meant for the run. */
export type LedgerChange =
  | { type: 'committed'; commit: StageCommit }
  /** An attempt was lost (its worker died, hung or crashed) and the task waits to run again. */
  | { type: 'requeued'; task: StageTaskKey & { taskId: string }; reason: string | undefined }
  | { type: 'failed'; task: StageTaskKey & { taskId: string }; state: string; reason: string };

/**
 * What a sharded run has committed and what it still waits for, built only from task events:
 * per micro-batch, the activations committed under their hashes and the model's nodes whose
 * work they hold. Pure: the driver feeds it events and acts on the changes it reports.
 */
export class RunLedger {
  readonly generations: Generation[] = [];
  readonly commits: StageCommit[] = [];
  /** Commits of work a micro-batch had committed before: must stay 0. */
  committedTwice = 0;
  private readonly tasks = new Map<string, TrackedTask>();
  /** Events of tasks not tracked yet (their submit has not answered), in the order they came. */
  private readonly early = new Map<string, TaskEvent[]>();
  private readonly committed = new Map<number, Map<string, CommittedActivation>>();
  private readonly doneNodes = new Map<number, Set<string>>();

  constructor(
    readonly microBatches: number,
    private readonly modelOutputs: readonly string[],
  ) {
    for (let b = 0; b < microBatches; b++) {
      this.committed.set(b, new Map());
      this.doneNodes.set(b, new Set());
    }
  }

  addGeneration(plan: PartitionPlan, placements: StagePlacement[], microBatches: number[]): number {
    const index = this.generations.length;
    // A copy: a recovery moves stages in it, and the caller's placement is the plan's record.
    this.generations.push({ index, plan, placements: [...placements], microBatches });
    return index;
  }

  /**
   * Follows a task the run submitted; returns what the events that came before its submit
   * answered meant, taken in the order they came, before any later event.
   */
  track(taskId: string, key: StageTaskKey): LedgerChange[] {
    this.tasks.set(taskId, { ...key, taskId, state: 'queued' });
    const early = this.early.get(taskId) ?? [];
    this.early.delete(taskId);
    return early.flatMap((event) => this.apply(event) ?? []);
  }

  /** Marks tasks the run cancels itself, so that their end is not taken for a failure. */
  withdraw(taskIds: readonly string[]): void {
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId);
      if (task !== undefined) task.withdrawn = true;
    }
  }

  /** What an event means for the run; an event of a task not tracked yet waits for `track`. */
  apply(event: TaskEvent): LedgerChange | undefined {
    const task = this.tasks.get(event.taskId);
    if (task === undefined) {
      this.early.set(event.taskId, [...(this.early.get(event.taskId) ?? []), event]);
      return undefined;
    }
    if (TERMINAL_STATES.has(task.state)) return undefined;
    const before = task.state;
    task.state = event.state;
    const key = { generation: task.generation, stage: task.stage, microBatch: task.microBatch };
    if (event.state === 'succeeded') return this.commit(task, event);
    if (TERMINAL_STATES.has(event.state)) {
      if (task.withdrawn) return undefined;
      return {
        type: 'failed',
        task: { ...key, taskId: task.taskId },
        state: event.state,
        reason: event.result?.error ?? event.reason ?? event.state,
      };
    }
    if (event.state === 'queued' && (before === 'assigned' || before === 'running')) {
      return { type: 'requeued', task: { ...key, taskId: task.taskId }, reason: event.reason };
    }
    return undefined;
  }

  private commit(task: TrackedTask, event: TaskEvent): LedgerChange {
    const output = event.result?.output;
    const stage = this.generations[task.generation]!.plan.stages[task.stage]!;
    const committed = this.committed.get(task.microBatch)!;
    if (output?.kind === 'shard-stage') {
      for (const [name, activation] of Object.entries(output.outputs)) {
        committed.set(name, {
          artifact: activation.artifact,
          type: activation.type,
          dims: activation.dims,
          summary: activation.summary,
        });
      }
    }
    const done = this.doneNodes.get(task.microBatch)!;
    for (const node of stage.nodes) {
      if (done.has(node)) this.committedTwice++;
      done.add(node);
    }
    const commit: StageCommit = {
      generation: task.generation,
      stage: task.stage,
      microBatch: task.microBatch,
      taskId: task.taskId,
      workerId: event.workerId,
      at: event.at,
      nodes: stage.nodes,
    };
    this.commits.push(commit);
    return { type: 'committed', commit };
  }

  /** The activations committed for a micro-batch, by tensor name. */
  committedTensors(microBatch: number): ReadonlyMap<string, CommittedActivation> {
    return this.committed.get(microBatch)!;
  }

  /** The model's nodes whose work is committed for a micro-batch. */
  done(microBatch: number): ReadonlySet<string> {
    return this.doneNodes.get(microBatch)!;
  }

  isComplete(microBatch: number): boolean {
    const committed = this.committed.get(microBatch)!;
    return this.modelOutputs.every((name) => committed.has(name));
  }

  allComplete(): boolean {
    for (let b = 0; b < this.microBatches; b++) if (!this.isComplete(b)) return false;
    return true;
  }

  /** Micro-batches not complete that no live task works on: a re-plan has yet to cover them. */
  unplanned(): number[] {
    const covered = new Set(this.liveTasks().map((task) => task.microBatch));
    return Array.from({ length: this.microBatches }, (_, b) => b).filter(
      (b) => !covered.has(b) && !this.isComplete(b),
    );
  }

  /** Tasks that have not ended, with where they stand. */
  liveTasks(): Array<StageTaskKey & { taskId: string; state: TaskEvent['state'] }> {
    return [...this.tasks.values()]
      .filter((task) => !TERMINAL_STATES.has(task.state) && task.withdrawn === undefined)
      .map(({ taskId, generation, stage, microBatch, state }) => ({
        taskId,
        generation,
        stage,
        microBatch,
        state,
      }));
  }

  placementOf(key: Pick<StageTaskKey, 'generation' | 'stage'>): StagePlacement {
    return this.generations[key.generation]!.placements.find((p) => p.stage === key.stage)!;
  }

  /** The stage now runs where `placement` says (it was moved off a lost worker). */
  move(generation: number, placement: StagePlacement): void {
    const placements = this.generations[generation]!.placements;
    placements[placements.findIndex((p) => p.stage === placement.stage)] = placement;
  }

  /** The stages that still have work to do, with the live tasks of each. */
  liveStages(): Array<{ generation: number; stage: number; taskIds: string[] }> {
    const byStage = new Map<string, { generation: number; stage: number; taskIds: string[] }>();
    for (const task of this.liveTasks()) {
      const key = `${task.generation}.${task.stage}`;
      const entry = byStage.get(key) ?? {
        generation: task.generation,
        stage: task.stage,
        taskIds: [],
      };
      entry.taskIds.push(task.taskId);
      byStage.set(key, entry);
    }
    return [...byStage.values()];
  }
}
