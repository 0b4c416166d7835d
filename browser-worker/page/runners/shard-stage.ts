import type { Assignment, BrowserCapabilities } from '../../../protocol/index.js';
import {
  runStage,
  SessionCache,
  type StageRuntime,
  type TaskRunner,
  uploadStageOutput,
  type WorkerIdentity,
} from '../../../worker-core/index.js';
import type { ArtifactFetcher } from '../artifacts.js';
import { sha256Hex } from '../sha256.js';
import { type Ort, ortFor, type Session, webRuntime } from './ort-web.js';

type StageAssignment = Extract<Assignment, { kind: 'shard-stage' }>;
type Feed = InstanceType<Ort['Tensor']>;

/**
 * One stage of a sharded model for one micro-batch, on onnxruntime-web's wasm, webgpu or webnn
 * provider. The stage's session (and model) stays in the page for later micro-batches, within
 * the session cache's bounds; outputs go to the coordinator this page came from, as the worker
 * `identity` says it is now.
 */
export function shardStageRunner(
  artifacts: ArtifactFetcher,
  capabilities: BrowserCapabilities,
  identity: () => WorkerIdentity,
): TaskRunner<StageAssignment> {
  const sessions = new SessionCache<Session>();
  return {
    async run(assignment, signal) {
      const { payload } = assignment;
      const loaded = await ortFor(payload.executionProvider, performance.now());
      if ('result' in loaded) return loaded.result;
      const { ort } = loaded;
      const runtime: StageRuntime<Feed, Session> = {
        ...webRuntime(ort, payload, capabilities),
        tensor: (type, data, dims) => new ort.Tensor(type, data, dims),
        sessions,
        // The session keeps what it needs: the model's bytes are not kept beside it.
        fetchModel: (ref, fetchSignal) => artifacts.download(ref, fetchSignal),
        fetchActivation: (ref, fetchSignal) => artifacts.download(ref, fetchSignal),
        upload: (lease, name, bytes, uploadSignal) =>
          uploadStageOutput(
            { baseUrl: '', token: artifacts.token, identity: identity() },
            lease,
            name,
            bytes,
            uploadSignal,
          ),
        sha256: sha256Hex,
      };
      return runStage(runtime, assignment, signal);
    },
  };
}
