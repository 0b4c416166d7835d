import { z } from 'zod';
import { GpuAdapterInfo, TaskKind } from './task-kinds.js';

export const WorkerKind = z.enum(['node', 'browser']);
export type WorkerKind = z.infer<typeof WorkerKind>;

/** The task kinds each kind of worker has runners for. */
export const TASK_KINDS_BY_WORKER = {
  node: ['command', 'vitest', 'model', 'shard-stage', 'plugin'],
  browser: ['model', 'webgpu', 'page-test', 'shard-stage', 'plugin'],
} as const satisfies Record<WorkerKind, readonly TaskKind[]>;

/** The names a browser worker reports itself by (`browser.name`; `unknown` for any other). */
export const KNOWN_BROWSERS = ['chromium', 'chrome', 'edge', 'firefox', 'safari'] as const;

/**
 * `drained`: it drained and went away holding no task (a drain that completed); `dead`: it was
 * lost (silent past its heartbeats, or reported lost), its attempts charged as failures.
 */
export const WorkerStatus = z.enum(['connected', 'disconnected', 'drained', 'dead']);
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const GpuInfo = z.object({
  name: z.string(),
  memoryMb: z.number().int().nonnegative().optional(),
  driver: z.string().optional(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

/** What a Node worker detected about its machine. Detected, never declared by hand. */
export const NodeCapabilities = z.object({
  kind: z.literal('node'),
  os: z.string(),
  arch: z.string(),
  cpus: z.number().int().positive(),
  memoryMb: z.number().int().nonnegative(),
  nodeVersion: z.string(),
  gpus: z.array(GpuInfo),
  /** onnxruntime-node execution providers this worker can use, e.g. `cpu`. */
  executionProviders: z.array(z.string()),
  /** Task kinds this worker has runners for. */
  taskKinds: z.array(TaskKind).min(1),
  /** Derived flags that requirements can ask for, e.g. `gpu`, `cuda`. */
  features: z.array(z.string()),
});
export type NodeCapabilities = z.infer<typeof NodeCapabilities>;

/** Whether a probe worked, and the browser's own words when it did not. */
const probeOutcome = { available: z.boolean(), reason: z.string().optional() };

/** What a browser worker's page found by probing, never by asking the user. */
export const BrowserCapabilities = z.object({
  kind: z.literal('browser'),
  os: z.string(),
  arch: z.string(),
  /** `navigator.hardwareConcurrency` */
  cpus: z.number().int().positive(),
  /** `navigator.deviceMemory` in MB where the browser tells it, else 0. */
  memoryMb: z.number().int().nonnegative(),
  browser: z.object({
    /** One of `KNOWN_BROWSERS`, or `unknown`. */
    name: z.string(),
    version: z.string(),
    engine: z.string(),
    userAgent: z.string(),
  }),
  webgpu: z.object({
    ...probeOutcome,
    adapter: GpuAdapterInfo.optional(),
    features: z.array(z.string()),
    limits: z.record(z.string(), z.number()),
  }),
  webnn: z.object({
    ...probeOutcome,
    /** For each device type, whether `navigator.ml.createContext` worked, and why not. */
    deviceTypes: z.record(z.enum(['cpu', 'gpu', 'npu']), z.object(probeOutcome)),
  }),
  wasm: z.object({ simd: z.boolean(), threads: z.boolean(), crossOriginIsolated: z.boolean() }),
  taskKinds: z.array(TaskKind).min(1),
  /** Derived flags: `webgpu`, `webgpu-fallback`, `webnn`, `wasm-simd`, `wasm-threads`. */
  features: z.array(z.string()),
});
export type BrowserCapabilities = z.infer<typeof BrowserCapabilities>;

export const Capabilities = z.discriminatedUnion('kind', [NodeCapabilities, BrowserCapabilities]);
export type Capabilities = z.infer<typeof Capabilities>;

export const Labels = z.record(z.string().min(1).max(64), z.string().max(256));
export type Labels = z.infer<typeof Labels>;
