import { z } from 'zod';
import { TaskKind } from './task-kinds.js';

export const WorkerKind = z.enum(['node', 'browser']);
export type WorkerKind = z.infer<typeof WorkerKind>;

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
  /** Task kinds this worker has runners for. */
  taskKinds: z.array(TaskKind).min(1),
  /** Derived flags that requirements can ask for, e.g. `gpu`, `cuda`. */
  features: z.array(z.string()),
});
export type NodeCapabilities = z.infer<typeof NodeCapabilities>;

export const Capabilities = z.discriminatedUnion('kind', [NodeCapabilities]);
export type Capabilities = z.infer<typeof Capabilities>;

export const Labels = z.record(z.string().min(1).max(64), z.string().max(256));
export type Labels = z.infer<typeof Labels>;
