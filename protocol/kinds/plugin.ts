import { z } from 'zod';
import { testReportFields } from './test-report.js';

/** A plugin runner's name: what a `plugin` task names and a worker advertises. */
export const PluginRunnerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" and "-", at most 64');

/**
 * A task a plugin's runner runs. Without `module`, on a Node worker that loaded a plugin with
 * this runner (it reports the feature `runner:<name>`); with `module`, in a browser worker's
 * page, which imports the module and runs its default export.
 */
export const PluginPayload = z
  .object({
    runner: PluginRunnerName,
    /** What the runner is given, as it is. */
    input: z.json().optional(),
    /**
     * An ES module for the page whose default export is the runner (`{ run(input, context) }`):
     * a path on the coordinator (`/page-modules/<sha256>.js`, as `dtf run` stores it) or a URL.
     */
    module: z.string().min(1).max(2048).optional(),
  })
  .strict();
export type PluginPayload = z.infer<typeof PluginPayload>;

/** The capability feature of a Node worker that runs plugin runner `name`. */
export const runnerFeature = (name: string) => `runner:${name}`;

export const PluginOutput = z.object({
  kind: z.literal('plugin'),
  runner: z.string(),
  /** What the runner returned besides its tests. */
  output: z.json().optional(),
  /** Tests the runner reported, each a case of the run's reports (none: the task is one). */
  ...testReportFields,
});
export type PluginOutput = z.infer<typeof PluginOutput>;
