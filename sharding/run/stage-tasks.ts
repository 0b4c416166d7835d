import type {
  ArtifactRef,
  ExecutionProvider,
  TaskSpecInput,
  TensorInput,
  TensorType,
} from '../../protocol/index.js';
import type { StagePlan } from '../partition/index.js';
import type { StagePlacement } from '../placement/place-stages.js';
import { microBatchInput } from './micro-batch-input.js';

/** A committed activation: an output of a stage task that ended, stored under its hash. */
export interface CommittedTensor {
  artifact: ArtifactRef;
  type: TensorType;
  dims: number[];
}

/** What the tasks of one plan over some micro-batches are built from. */
export interface StageTaskSource {
  run: string;
  /** A short name for the tasks, e.g. the model's. */
  label: string;
  /** Distinguishes the tasks of a re-plan from those of the plan before it. */
  generation: number;
  stages: readonly StagePlan[];
  /** The stage models, by stage index. */
  models: Readonly<Record<number, ArtifactRef>>;
  placements: readonly StagePlacement[];
  /** The model's inputs; each micro-batch gets its own seed (`microBatchInput`). */
  modelInputs: Readonly<Record<string, TensorInput>>;
  /** WebNN device type where a stage is placed on webnn. */
  webnnDeviceType?: 'cpu' | 'gpu' | 'npu';
  /** Retries of an attempt that failed for infrastructure reasons (a lost browser). */
  maxRetries: number;
  timeoutMs: number;
}

function modelOf(source: StageTaskSource, stage: number): ArtifactRef {
  const model = source.models[stage];
  if (model === undefined) throw new Error(`stage ${stage} has no stored model`);
  return model;
}

/** The ref of the task running `stage` on `microBatch` in generation `generation`. */
export function stageTaskRef(generation: number, stage: number, microBatch: number): string {
  return `g${generation}.s${stage}.b${microBatch}`;
}

/**
 * The `shard-stage` tasks of one micro-batch: stage s depends on the stages whose outputs it
 * reads, by ref in the same submit; a value nobody in this plan produces comes from the model's
 * inputs or, after a re-plan, from the activations already committed for this micro-batch.
 */
export function stageTasks(
  source: StageTaskSource,
  microBatch: number,
  committed: ReadonlyMap<string, CommittedTensor> = new Map(),
): TaskSpecInput[] {
  const producer = new Map<string, number>();
  for (const stage of source.stages) {
    for (const output of stage.outputs) producer.set(output.name, stage.index);
  }
  return source.stages.map((stage) => {
    const placement = source.placements.find((p) => p.stage === stage.index);
    if (placement === undefined) throw new Error(`stage ${stage.index} has no placement`);
    const dependsOn: string[] = [];
    const inputs = Object.fromEntries(
      stage.inputs.map((input) => {
        const from = producer.get(input.name);
        if (from !== undefined && from !== stage.index) {
          const ref = stageTaskRef(source.generation, from, microBatch);
          if (!dependsOn.includes(ref)) dependsOn.push(ref);
          return [
            input.name,
            { from: 'dependency', dependency: dependsOn.indexOf(ref), output: input.name },
          ];
        }
        const tensor = committed.get(input.name);
        if (tensor !== undefined) {
          const { artifact, type, dims } = tensor;
          return [input.name, { from: 'artifact', artifact, type, dims }];
        }
        const modelInput = source.modelInputs[input.name];
        if (modelInput === undefined) {
          throw new Error(`stage ${stage.index} reads '${input.name}', which nothing provides`);
        }
        return [input.name, { from: 'value', tensor: microBatchInput(modelInput, microBatch) }];
      }),
    );
    const backend: ExecutionProvider = placement.backend;
    return {
      kind: 'shard-stage',
      name: `${source.label} stage ${stage.index}`,
      group: source.run,
      ref: stageTaskRef(source.generation, stage.index, microBatch),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      requirements: { workers: [placement.workerId] },
      retry: { maxRetries: source.maxRetries },
      timeoutMs: source.timeoutMs,
      payload: {
        run: source.run,
        stage: stage.index,
        microBatch,
        model: modelOf(source, stage.index),
        executionProvider: backend,
        ...(backend === 'webnn' && source.webnnDeviceType !== undefined
          ? { webnnDeviceType: source.webnnDeviceType }
          : {}),
        costFlops: stage.costFlops,
        inputs,
        outputs: stage.outputs.map(({ name, type, dims }) => ({ name, type, dims })),
        // Each activation's hash and statistics only: its values are in the committed artifact,
        // which its consumers read and the run fetches for the model's outputs. Values inside
        // the result would cost every micro-batch their JSON at the worker and the coordinator.
        maxOutputElements: 0,
      },
    } as TaskSpecInput;
  });
}
