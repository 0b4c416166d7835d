import { z } from 'zod';
import { TensorInput, TensorSummary } from './tensor.js';

/** A content-addressed file in the coordinator's artifact store. */
export const ArtifactRef = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'an artifact reference looks like sha256:<64 hex digits>');
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** The hex digest an artifact is stored and served under (`GET /api/artifacts/:hex`). */
export function artifactHex(ref: ArtifactRef): string {
  return ref.slice('sha256:'.length);
}

/** `cpu` is onnxruntime-node's native provider; the others are onnxruntime-web's. */
export const ExecutionProvider = z.enum(['cpu', 'wasm', 'webgpu', 'webnn']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

/** The WebNN device an onnxruntime-web `webnn` session asks for. */
export const WebnnDeviceType = z.enum(['cpu', 'gpu', 'npu']);
export type WebnnDeviceType = z.infer<typeof WebnnDeviceType>;

export const ModelPayload = z
  .object({
    model: ArtifactRef,
    executionProvider: ExecutionProvider,
    webnnDeviceType: WebnnDeviceType.default('cpu'),
    inputs: z.record(z.string(), TensorInput),
    /** Timed runs after the first one. */
    runs: z.number().int().min(1).max(1000).default(10),
    /** Outputs with more elements report only their summary, not their values. */
    maxOutputElements: z.number().int().nonnegative().default(65_536),
  })
  .strict();
export type ModelPayload = z.infer<typeof ModelPayload>;

export const ModelTimings = z.object({
  fetchMs: z.number().nonnegative(),
  sessionCreateMs: z.number().nonnegative(),
  firstRunMs: z.number().nonnegative(),
  medianMs: z.number().nonnegative(),
  p90Ms: z.number().nonnegative(),
  meanMs: z.number().nonnegative(),
  runs: z.number().int().nonnegative(),
});
export type ModelTimings = z.infer<typeof ModelTimings>;

export const ModelOutput = z.object({
  kind: z.literal('model'),
  executionProvider: ExecutionProvider,
  /** e.g. `onnxruntime-web 1.30.0` */
  runtime: z.string(),
  timings: ModelTimings,
  outputs: z.record(z.string(), TensorSummary),
});
export type ModelOutput = z.infer<typeof ModelOutput>;
