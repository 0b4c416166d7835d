import { z } from 'zod';
import { CommandOutput, CommandPayload } from './kinds/command.js';
import { ModelOutput, ModelPayload } from './kinds/model.js';
import { PageTestOutput, PageTestPayload } from './kinds/page-test.js';
import { PluginOutput, PluginPayload } from './kinds/plugin.js';
import { ShardStageOutput, ShardStagePayload } from './kinds/shard-stage.js';
import { VitestOutput, VitestPayload } from './kinds/vitest.js';
import { WebgpuOutput, WebgpuPayload } from './kinds/webgpu.js';

export * from './kinds/command.js';
export * from './kinds/model.js';
export * from './kinds/page-test.js';
export * from './kinds/plugin.js';
export * from './kinds/shard-stage.js';
export * from './kinds/tensor.js';
export * from './kinds/test-report.js';
export * from './kinds/vitest.js';
export * from './kinds/webgpu.js';

export const TASK_KINDS = [
  'command',
  'vitest',
  'model',
  'webgpu',
  'page-test',
  'shard-stage',
  'plugin',
] as const;
export const TaskKind = z.enum(TASK_KINDS);
export type TaskKind = z.infer<typeof TaskKind>;

/** The payload schema of each kind; every table keyed by kind starts here. */
export const PAYLOADS = {
  command: CommandPayload,
  vitest: VitestPayload,
  model: ModelPayload,
  webgpu: WebgpuPayload,
  'page-test': PageTestPayload,
  'shard-stage': ShardStagePayload,
  plugin: PluginPayload,
} as const satisfies Record<TaskKind, z.ZodType>;

export const TaskOutput = z.discriminatedUnion('kind', [
  CommandOutput,
  VitestOutput,
  ModelOutput,
  WebgpuOutput,
  PageTestOutput,
  ShardStageOutput,
  PluginOutput,
]);
export type TaskOutput = z.infer<typeof TaskOutput>;
