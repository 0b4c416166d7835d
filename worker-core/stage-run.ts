import {
  type ArtifactRef,
  type Assignment,
  type ShardStageOutput,
  type StageOutputSpec,
  type TaskResult,
  type TensorType,
  tensorByteLength,
} from '../protocol/index.js';
import {
  materializeTensor,
  summarizeTensor,
  type TensorData,
  tensorBytes,
  tensorFromBytes,
} from '../tensors/index.js';
import { fromBase64, toBase64 } from './base64.js';
import { errorText } from './error-text.js';
import type { InferenceSessionLike } from './infer.js';
import type { Releasable, SessionCache } from './session-cache.js';
import { unsharedBytes } from './unshared-bytes.js';

type StageAssignment = Extract<Assignment, { kind: 'shard-stage' }>;

/** A session a stage runs on: inference, and a way to free it when the cache lets it go. */
export type StageSession<Feed> = InferenceSessionLike<Feed> & Releasable;

/** What a runtime (onnxruntime-node, onnxruntime-web) gives the shared stage runner. */
export interface StageRuntime<Feed, S extends StageSession<Feed>> {
  /** e.g. `onnxruntime-web 1.30.0` */
  runtime: string;
  /** `new ort.Tensor(type, data, dims)` of the runtime in use. */
  tensor(type: TensorType, data: TensorData, dims: readonly number[]): Feed;
  sessions: SessionCache<S>;
  /** Creates a session of the stage's model for the assignment's provider. */
  createSession(model: Uint8Array): Promise<S>;
  /** Whether a session that could not be created (this error) means the provider is unavailable here. */
  createFailure(errorText: string): 'unsupported' | 'failed';
  /** The stage's model, from a cache when the worker has it. */
  fetchModel(ref: ArtifactRef, signal: AbortSignal): Promise<Uint8Array>;
  /** An input activation, checked against its hash, and not kept. */
  fetchActivation(ref: ArtifactRef, signal: AbortSignal): Promise<Uint8Array>;
  /** Uploads an output activation for the attempt; resolves with the ref the coordinator answered. */
  upload(
    assignment: StageAssignment,
    name: string,
    bytes: Uint8Array,
    signal: AbortSignal,
  ): Promise<ArtifactRef>;
  sha256(bytes: Uint8Array): string | Promise<string>;
}

/** Ends a stage attempt early with this result; `infrastructure` ones are retried elsewhere. */
class StageFailure extends Error {
  constructor(
    readonly status: 'failed' | 'unsupported',
    readonly failureKind: 'infrastructure' | 'test' | undefined,
    message: string,
  ) {
    super(message);
  }
}

const infrastructure = (message: string) => new StageFailure('failed', 'infrastructure', message);
const testFailure = (message: string) => new StageFailure('failed', 'test', message);
const since = (started: number) => performance.now() - started;
const shape = (type: string, dims: readonly number[]) => `${type} [${dims.join(', ')}]`;

/** Runs `step`; an error it throws becomes the failure `fail` makes of its text. */
async function step<T>(run: () => Promise<T>, fail: (text: string) => StageFailure): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StageFailure) throw error;
    throw fail(errorText(error));
  }
}

async function stageFeeds<Feed, S extends StageSession<Feed>>(
  runtime: StageRuntime<Feed, S>,
  { payload }: StageAssignment,
  signal: AbortSignal,
): Promise<Record<string, Feed>> {
  const feeds: Record<string, Feed> = {};
  for (const [name, input] of Object.entries(payload.inputs)) {
    if (input.from === 'value') {
      const { tensor } = input;
      feeds[name] = runtime.tensor(tensor.type, materializeTensor(tensor), tensor.dims);
      continue;
    }
    const bytes =
      input.data === undefined
        ? await step(
            () => runtime.fetchActivation(input.artifact, signal),
            (text) => infrastructure(`cannot fetch input '${name}' (${input.artifact}): ${text}`),
          )
        : await inlineInput(runtime, name, input.artifact, input.data);
    const data = await step(
      async () => tensorFromBytes(input.type, input.dims, bytes),
      (text) => infrastructure(`input '${name}' (${input.artifact}): ${text}`),
    );
    feeds[name] = runtime.tensor(input.type, data, input.dims);
  }
  return feeds;
}

/** An input's bytes as the assignment carried them, checked against the artifact's hash. */
async function inlineInput<Feed, S extends StageSession<Feed>>(
  runtime: StageRuntime<Feed, S>,
  name: string,
  artifact: ArtifactRef,
  data: string,
): Promise<Uint8Array> {
  const bytes = await step(
    async () => fromBase64(data),
    (text) => infrastructure(`input '${name}' came inline as no base64: ${text}`),
  );
  const sha256 = await runtime.sha256(bytes);
  if (artifact !== `sha256:${sha256}`) {
    throw infrastructure(
      `input '${name}' came inline as bytes hashing to ${sha256}, not to its artifact ${artifact}`,
    );
  }
  return bytes;
}

/** The declared output, checked against what the session produced. */
function producedOutput(
  produced: Record<string, { type: string; dims: readonly number[]; data: unknown }>,
  { name, type, dims }: StageOutputSpec,
): TensorData {
  const tensor = Object.hasOwn(produced, name) ? produced[name] : undefined;
  if (tensor === undefined) {
    const names = Object.keys(produced).map((n) => `'${n}'`);
    throw testFailure(
      `the stage model produced no output '${name}' (it produced ${names.join(', ')})`,
    );
  }
  if (shape(tensor.type, tensor.dims) !== shape(type, dims)) {
    throw testFailure(
      `output '${name}' is ${shape(tensor.type, tensor.dims)}, declared ${shape(type, dims)}`,
    );
  }
  return tensor.data as TensorData;
}

/**
 * Runs one stage of a sharded model for one micro-batch, the same on every runtime: takes the
 * input activations from the assignment or fetches them, runs the stage's model once on a cached
 * session (created, and its model fetched, only for the first micro-batch of a stage), checks
 * each declared output, and reports it with its bytes inside the result (up to
 * `maxInlineBytes`) or uploaded to the coordinator; either way the coordinator commits them
 * under their hash before it records the success. A fetch or upload
 * that fails is an infrastructure failure (retried); a model that does not run, or produces
 * other outputs than declared, fails the task.
 */
export async function runStage<Feed, S extends StageSession<Feed>>(
  runtime: StageRuntime<Feed, S>,
  assignment: StageAssignment,
  signal: AbortSignal,
): Promise<TaskResult> {
  const started = performance.now();
  const { payload } = assignment;
  try {
    const feeds = await stageFeeds(runtime, assignment, signal);
    const inputFetchMs = since(started);
    let modelFetchMs = 0;
    let sessionCreateMs = 0;
    const key = `${payload.model} ${payload.executionProvider} ${payload.webnnDeviceType}`;
    const create = async () => {
      const fetchStarted = performance.now();
      const model = await step(
        () => runtime.fetchModel(payload.model, signal),
        (text) => infrastructure(`cannot fetch the stage model ${payload.model}: ${text}`),
      );
      modelFetchMs = since(fetchStarted);
      const createStarted = performance.now();
      const session = await step(
        () => runtime.createSession(model),
        (text) =>
          new StageFailure(
            runtime.createFailure(text),
            undefined,
            `cannot create a session: ${text}`,
          ),
      );
      sessionCreateMs = since(createStarted);
      return { session, bytes: model.byteLength };
    };
    const { produced, runMs, sessionReused } = await runtime.sessions.use(
      key,
      create,
      async (session, reused) => {
        signal.throwIfAborted();
        const runStarted = performance.now();
        const outputs = await step(
          () => session.run(feeds),
          (text) => testFailure(`inference failed: ${text}`),
        );
        return { produced: outputs, runMs: since(runStarted), sessionReused: reused };
      },
    );
    const uploadStarted = performance.now();
    const inline =
      payload.outputs.reduce((sum, { type, dims }) => sum + tensorByteLength(type, dims), 0) <=
      payload.maxInlineBytes;
    const outputs: ShardStageOutput['outputs'] = {};
    for (const declared of payload.outputs) {
      const data = producedOutput(produced, declared);
      const bytes = unsharedBytes(tensorBytes(data));
      const sha256 = await runtime.sha256(bytes);
      const artifact = `sha256:${sha256}`;
      if (!inline) {
        const stored = await step(
          () => runtime.upload(assignment, declared.name, bytes, signal),
          (text) => infrastructure(`cannot upload output '${declared.name}': ${text}`),
        );
        if (stored !== artifact) {
          throw infrastructure(
            `the coordinator stored output '${declared.name}' as ${stored}, but its values hash to ${sha256}`,
          );
        }
      }
      outputs[declared.name] = {
        artifact,
        type: declared.type,
        dims: [...declared.dims],
        bytes: bytes.byteLength,
        summary: summarizeTensor(
          declared.type,
          declared.dims,
          data,
          sha256,
          payload.maxOutputElements,
        ),
        ...(inline ? { data: toBase64(bytes) } : {}),
      };
    }
    const output: ShardStageOutput = {
      kind: 'shard-stage',
      executionProvider: payload.executionProvider,
      runtime: runtime.runtime,
      ...(payload.costFlops === undefined ? {} : { costFlops: payload.costFlops }),
      timings: {
        modelFetchMs,
        inputFetchMs,
        sessionCreateMs,
        sessionReused,
        runMs,
        uploadMs: since(uploadStarted),
      },
      outputs,
    };
    return { status: 'succeeded', durationMs: since(started), output };
  } catch (error) {
    const failure =
      error instanceof StageFailure
        ? error
        : new StageFailure('failed', undefined, errorText(error));
    return {
      status: failure.status,
      durationMs: since(started),
      error: failure.message,
      ...(failure.failureKind === undefined ? {} : { failureKind: failure.failureKind }),
    };
  }
}
