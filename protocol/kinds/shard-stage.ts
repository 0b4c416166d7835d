import { z } from 'zod';
import { MAX_DEPENDENCIES } from '../limits.js';
import { ArtifactRef, ExecutionProvider, WebnnDeviceType } from './model.js';
import { elementCount, TensorInput, TensorSummary, TensorType } from './tensor.js';

/** Inputs, and outputs, one stage may have. */
export const MAX_STAGE_TENSORS = 256;
/** Elements of one activation: its bytes stay a safe integer, whatever its type. */
export const MAX_ACTIVATION_ELEMENTS = 2 ** 31;
/** Stages of one run, and micro-batches of one run. */
export const MAX_STAGE_INDEX = 1_000_000;
/**
 * The most bytes of activations that travel inside one result or assignment message (base64)
 * rather than over HTTP: small activations then cost no round trip of their own.
 */
export const MAX_INLINE_ACTIVATION_BYTES = 1024 * 1024;

/**
 * Activation bytes carried inside a message, base64-encoded. Checked by its alphabet only, not
 * decoded here (a page would decode 1 MiB twice): the receiver decodes it and checks the bytes
 * against the activation's hash and size.
 */
const inlineBytes = z
  .string()
  .max(Math.ceil(MAX_INLINE_ACTIVATION_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

const tensorName = z.string().min(1).max(256);

/** An activation's shape: every dimension known and non-zero, so its size is known up front. */
const activationDims = z
  .array(z.number().int().positive())
  .max(8)
  .refine((dims) => elementCount(dims) <= MAX_ACTIVATION_ELEMENTS, {
    message: `an activation may have at most ${MAX_ACTIVATION_ELEMENTS} elements`,
  });

/** An output a stage declares: its upload must be exactly this many bytes. */
export const StageOutputSpec = z
  .object({ name: tensorName, type: TensorType, dims: activationDims })
  .strict();
export type StageOutputSpec = z.infer<typeof StageOutputSpec>;

/** A seeded or literal model input, as a `model` task gives it. */
const ValueInput = z.object({ from: z.literal('value'), tensor: TensorInput }).strict();

/** An output of the stage task `dependsOn[dependency]`, read once that task has succeeded. */
const DependencyInput = z
  .object({
    from: z.literal('dependency'),
    dependency: z
      .number()
      .int()
      .min(0)
      .max(MAX_DEPENDENCIES - 1),
    output: tensorName,
  })
  .strict();

/** An activation already committed to the artifact store (a re-planned run starts from it). */
const ArtifactInput = z
  .object({
    from: z.literal('artifact'),
    artifact: ArtifactRef,
    type: TensorType,
    dims: activationDims,
  })
  .strict();

export const StageInput = z.discriminatedUnion('from', [
  ValueInput,
  DependencyInput,
  ArtifactInput,
]);
export type StageInput = z.infer<typeof StageInput>;

/** What a worker is given: every `dependency` input resolved to the artifact it committed. */
export const ResolvedStageInput = z.discriminatedUnion('from', [
  ValueInput,
  ArtifactInput.extend({
    /**
     * The artifact's bytes, when the coordinator has them at hand and they are small: the
     * worker checks them against the ref's hash instead of fetching them.
     */
    data: inlineBytes.optional(),
  }),
]);
export type ResolvedStageInput = z.infer<typeof ResolvedStageInput>;

function stagePayload<I extends z.ZodType>(input: I) {
  return z
    .object({
      /** The sharded run this stage task belongs to. */
      run: z.string().min(1).max(128),
      stage: z.number().int().min(0).max(MAX_STAGE_INDEX),
      microBatch: z.number().int().min(0).max(MAX_STAGE_INDEX),
      /** The stage's standalone ONNX model. */
      model: ArtifactRef,
      executionProvider: ExecutionProvider,
      webnnDeviceType: WebnnDeviceType.default('cpu'),
      /** The partitioner's estimate of the stage's cost, kept in the result for speed history. */
      costFlops: z.number().nonnegative().max(Number.MAX_VALUE).optional(),
      inputs: z
        .record(tensorName, input)
        .refine((inputs) => Object.keys(inputs).length <= MAX_STAGE_TENSORS, {
          message: `a stage may have at most ${MAX_STAGE_TENSORS} inputs`,
        }),
      /** Declared up front: each bounds its upload, and is checked against what the session made. */
      outputs: z
        .array(StageOutputSpec)
        .min(1)
        .max(MAX_STAGE_TENSORS)
        .superRefine((outputs, ctx) => {
          const seen = new Set<string>();
          for (const [index, { name }] of outputs.entries()) {
            if (seen.has(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [index, 'name'],
                message: `output '${name}' is declared twice`,
              });
            }
            seen.add(name);
          }
        }),
      /** Outputs with more elements report only their summary's statistics, not their values. */
      maxOutputElements: z.number().int().nonnegative().default(65_536),
      /**
       * Outputs whose bytes come to at most this in all travel inside the result message, and are
       * committed from there; larger ones are uploaded over HTTP. 0 uploads every output.
       */
      maxInlineBytes: z
        .number()
        .int()
        .min(0)
        .max(MAX_INLINE_ACTIVATION_BYTES)
        .default(MAX_INLINE_ACTIVATION_BYTES),
    })
    .strict();
}

/** One stage of a sharded model for one micro-batch, as submitted. */
export const ShardStagePayload = stagePayload(StageInput);
export type ShardStagePayload = z.infer<typeof ShardStagePayload>;

/** The payload of a shard-stage assignment: inputs are values or committed artifacts only. */
export const ShardStageAssignmentPayload = stagePayload(ResolvedStageInput);
export type ShardStageAssignmentPayload = z.infer<typeof ShardStageAssignmentPayload>;

/**
 * Why a shard-stage spec's inputs cannot refer to its `dependsOn`, one problem per input: an
 * index past its end, or a `dependsOn` naming one task twice (entries are resolved to distinct
 * task ids, which would move the indexes).
 */
export function stageDependencyIssues(spec: {
  payload: Pick<ShardStagePayload, 'inputs'>;
  dependsOn?: readonly string[] | undefined;
}): Array<{ path: Array<string | number>; message: string }> {
  const dependsOn = spec.dependsOn ?? [];
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const first = new Map<string, number>();
  for (const [index, entry] of dependsOn.entries()) {
    const earlier = first.get(entry);
    if (earlier !== undefined) {
      issues.push({
        path: ['dependsOn', index],
        message: `'${entry}' is also dependsOn[${earlier}]: a shard-stage task's inputs refer to dependsOn by index, so each entry must name another task`,
      });
    } else first.set(entry, index);
  }
  for (const [name, input] of Object.entries(spec.payload.inputs)) {
    if (input.from === 'dependency' && input.dependency >= dependsOn.length) {
      issues.push({
        path: ['payload', 'inputs', name, 'dependency'],
        message: `input '${name}' reads dependsOn[${input.dependency}], but dependsOn has ${dependsOn.length} ${dependsOn.length === 1 ? 'entry' : 'entries'}`,
      });
    }
  }
  return issues;
}

export const StageTimings = z.object({
  /** 0 when the session was reused (the model was not fetched again). */
  modelFetchMs: z.number().nonnegative(),
  /** Fetching the input activations. */
  inputFetchMs: z.number().nonnegative(),
  sessionCreateMs: z.number().nonnegative(),
  /** The worker already had a session of this model and provider (an earlier micro-batch's). */
  sessionReused: z.boolean(),
  runMs: z.number().nonnegative(),
  /** Hashing the output activations and uploading them (or encoding them for the result). */
  uploadMs: z.number().nonnegative(),
});
export type StageTimings = z.infer<typeof StageTimings>;

/** An output activation committed to the artifact store; its bytes hash to `summary.sha256`. */
export const StageActivation = z.object({
  artifact: ArtifactRef,
  type: TensorType,
  dims: activationDims,
  bytes: z.number().int().positive(),
  summary: TensorSummary,
  /**
   * The bytes themselves, in a worker's result only (see `maxInlineBytes`): the coordinator
   * commits them under their hash and drops this field before the result is recorded.
   */
  data: inlineBytes.optional(),
});
export type StageActivation = z.infer<typeof StageActivation>;

export const ShardStageOutput = z.object({
  kind: z.literal('shard-stage'),
  executionProvider: ExecutionProvider,
  /** e.g. `onnxruntime-web 1.30.0` */
  runtime: z.string(),
  /** The payload's estimate, when it had one. */
  costFlops: z.number().nonnegative().optional(),
  timings: StageTimings,
  outputs: z.record(tensorName, StageActivation),
});
export type ShardStageOutput = z.infer<typeof ShardStageOutput>;
