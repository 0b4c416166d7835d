import type { z } from 'zod';
import type { Reporter } from '../cli/report/reporters/reporter.js';
import type { SuiteReport } from '../cli/report/suite-report.js';
// biome-ignore lint/style/noRestrictedImports: the plugin API's types, taken from their own file so that the package's public types do not reach the coordinator's
import type * as Hooks from '../coordinator/scheduler/hook-types.js';
import type { DtfConfig, TaskEvent } from '../protocol/index.js';
import type { PluginRunner } from '../worker-core/index.js';

export type SchedulerHooks = Hooks.SchedulerHooks;
export type SchedulingTask = Hooks.SchedulingTask;
export type SchedulingWorker = Hooks.SchedulingWorker;

/** What `onRunStart` is told: the run about to be submitted. */
export interface RunStart {
  suite: string;
  /** The run's task group: `dtf tasks --group <group>`. */
  group: string;
  /** How many tasks it submits. */
  tasks: number;
}

/**
 * One extension of DTF, loaded from the config (`plugins: [...]`), by `dtf worker --plugin` and
 * by `dtf coordinator --plugin`; each part is used where it applies (docs/plugins.md).
 */
export interface DtfPlugin {
  /** Names it in errors and logs. */
  name: string;
  /** Present the ended run, beside those `reporters` names. */
  reporters?: readonly Reporter[];
  /** New task kinds for Node workers: `plugin` tasks naming one run it. */
  runners?: Readonly<Record<string, PluginRunner>>;
  /**
   * New task kinds for the page: the module (a path, or a `file:` URL) whose default export is
   * the runner, bundled for the browser by `dtf run` for the `plugin` tasks that name it and ask
   * for a browser.
   */
  pageRunners?: Readonly<Record<string, string | URL>>;
  /** A say in where tasks go, on the coordinator that loaded it. */
  scheduler?: SchedulerHooks;
  onRunStart?(run: RunStart): void | Promise<void>;
  /** Each task of the run as it ends (its final state and result). */
  onTaskEnd?(event: TaskEvent): void | Promise<void>;
  /** The run once its tasks have ended, before the reporters write. */
  onRunEnd?(report: SuiteReport): void | Promise<void>;
}

/** Types a plugin; it returns what it is given. */
export function definePlugin(plugin: DtfPlugin): DtfPlugin {
  return plugin;
}

/** A config as written: `plugins` takes plugin objects or module paths. */
export type DtfConfigInput = Omit<z.input<typeof DtfConfig>, 'plugins'> & {
  plugins?: Array<string | DtfPlugin>;
};

/** Types a config file's default export; it returns what it is given. */
export function defineConfig(config: DtfConfigInput): DtfConfigInput {
  return config;
}
