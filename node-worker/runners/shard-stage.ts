import type { Assignment } from '../../protocol/index.js';
import {
  runStage,
  SessionCache,
  type StageRuntime,
  type StageUploadTarget,
  type TaskRunner,
  uploadStageOutput,
} from '../../worker-core/index.js';
import { type ArtifactCache, sha256Hex } from '../artifact-cache.js';
import { loadOrt, nodeProviderProblem, type Ort } from './ort-node.js';

type StageAssignment = Extract<Assignment, { kind: 'shard-stage' }>;
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type Feed = InstanceType<Ort['Tensor']>;

/** Where this worker uploads its outputs now: undefined while it is not connected. */
export type StageUploads = () => StageUploadTarget | undefined;

/**
 * One stage of a sharded model for one micro-batch, on onnxruntime-node's CPU provider, with
 * the stage's session kept for the micro-batches after the first.
 */
export function shardStageRunner(
  artifacts: ArtifactCache,
  uploads: StageUploads,
): TaskRunner<StageAssignment> {
  const sessions = new SessionCache<Session>();
  let runtime: StageRuntime<Feed, Session> | undefined;
  const runtimeOf = (ort: Ort): StageRuntime<Feed, Session> => ({
    runtime: `onnxruntime-node ${ort.env.versions.common}`,
    tensor: (type, data, dims) => new ort.Tensor(type, data, dims),
    sessions,
    createSession: (model) => ort.InferenceSession.create(model, { executionProviders: ['cpu'] }),
    createFailure: () => 'failed',
    fetchModel: async (ref, signal) => (await artifacts.get(ref, signal)).bytes,
    fetchActivation: (ref, signal) => artifacts.download(ref, signal),
    upload: (lease, name, bytes, signal) => {
      const target = uploads();
      if (target === undefined) throw new Error('not connected to a coordinator');
      return uploadStageOutput(target, lease, name, bytes, signal);
    },
    sha256: sha256Hex,
  });
  return {
    async run(assignment, signal) {
      const problem = nodeProviderProblem(assignment.payload.executionProvider);
      if (problem !== undefined) return { status: 'unsupported', durationMs: 0, error: problem };
      runtime ??= runtimeOf(await loadOrt());
      return runStage(runtime, assignment, signal);
    },
  };
}
